package io.learningdb.operator.failover;

import java.util.Comparator;
import java.util.List;

import io.learningdb.operator.postgres.Promotion;
import io.learningdb.operator.resources.Names;

/**
 * Which replica replaces a lost primary, or why none may: a pure function of what each replica reported, so every
 * rule is a unit test. Rules, in order:
 * <ol>
 * <li>A replica whose WAL receiver still streams proves the primary alive: no promotion, whatever else says it
 * is lost (after the next rule).</li>
 * <li>A replica that already left recovery (promoted by an earlier attempt whose result was not recorded) is the
 * choice again: promotion is idempotent and never picks a second instance.</li>
 * <li>Synchronous mode ({@code ANY k} of the n replicas): an acknowledged commit is flushed on at least k
 * replicas, but not necessarily on any given one. Only when at least n − k + 1 replicas answer must one of them hold
 * it (quorum intersection); the most advanced of them is promoted. With fewer, failover is blocked: promoting could
 * lose acknowledged commits.</li>
 * <li>Asynchronous mode: a replica is eligible when its lag at the last measurement is known and within
 * failover.maxLagBytes (an unknown lag blocks rather than passes); failover.promoteLaggingReplica lifts the limit.
 * The most advanced eligible replica is promoted; ties go to the lowest ordinal.</li>
 * </ol>
 */
public final class FailoverDecision {

    private FailoverDecision() {
    }

    /**
     * One replica as seen at decision time.
     *
     * @param position its WAL position, null when it did not answer
     * @param lastLagBytes its lag at the last measurement before the primary was lost, null when unknown
     */
    public record Replica(String pod, Promotion.Position position, Long lastLagBytes, boolean streaming) {

        public Replica(String pod, Promotion.Position position, Long lastLagBytes) {
            this(pod, position, lastLagBytes, false);
        }

        boolean reachable() {
            return position != null;
        }
    }

    /**
     * @param members the replicas the spec asks for (n)
     * @param synchronous k of {@code ANY k}; 0 for asynchronous replication
     */
    public record Settings(int members, int synchronous, long maxLagBytes, String maxLagText, boolean promoteLagging) {
    }

    public sealed interface Decision {
    }

    public record Promote(String pod, String basis) implements Decision {
    }

    /** @param primaryAlive a replica still receives WAL from the primary: look again soon, it may be going down */
    public record Blocked(String reason, boolean primaryAlive) implements Decision {

        public Blocked(String reason) {
            this(reason, false);
        }
    }

    public static Decision choose(List<Replica> replicas, Settings s) {
        var reachable = replicas.stream().filter(Replica::reachable).toList();
        var promoted = reachable.stream().filter(r -> !r.position().inRecovery()).min(byOrdinal());
        if (promoted.isPresent()) {
            return new Promote(promoted.get().pod(), "already promoted by an earlier attempt");
        }
        var streaming = reachable.stream().filter(Replica::streaming).findFirst();
        if (streaming.isPresent()) {
            // the primary did not answer the operator, but it still sends WAL: it is alive, and promoting would
            // make a second primary (the operator may be the one cut off)
            return new Blocked(streaming.get().pod() + " still receives WAL from the primary: it is alive", true);
        }
        if (s.synchronous() > 0) {
            int quorum = s.members() - s.synchronous() + 1;
            if (reachable.size() < quorum) {
                return new Blocked("synchronous replication (ANY " + s.synchronous() + " of " + s.members()
                        + "): an acknowledged commit is on at least " + s.synchronous() + " replica(s) but maybe not on "
                        + "the " + reachable.size() + " that answer " + names(reachable) + "; " + quorum
                        + " must answer to be sure one of them has every acknowledged commit");
            }
            return new Promote(mostAdvanced(reachable).pod(), "most advanced of " + reachable.size() + " replicas that "
                    + "answer, a quorum for ANY " + s.synchronous() + " of " + s.members());
        }
        if (reachable.isEmpty()) {
            return new Blocked("no replica answers to take over");
        }
        var eligible = reachable.stream()
                .filter(r -> r.lastLagBytes() != null && r.lastLagBytes() <= s.maxLagBytes()).toList();
        if (eligible.isEmpty()) {
            if (!s.promoteLagging()) {
                boolean unknown = reachable.stream().anyMatch(r -> r.lastLagBytes() == null);
                return new Blocked("every replica that answers " + names(reachable) + " lagged more than "
                        + "failover.maxLagBytes (" + s.maxLagText() + ")" + (unknown ? " or had no known lag" : "")
                        + " at its last measurement; set failover.promoteLaggingReplica to promote the most advanced "
                        + "one anyway");
            }
            eligible = reachable;
        }
        return new Promote(mostAdvanced(eligible).pod(), "most advanced eligible replica (asynchronous replication)");
    }

    private static Replica mostAdvanced(List<Replica> replicas) {
        return replicas.stream()
                .max(Comparator.comparingLong((Replica r) -> r.position().advance())
                        .thenComparing(r -> -Names.ordinal(r.pod())))
                .orElseThrow();
    }

    private static Comparator<Replica> byOrdinal() {
        return Comparator.comparingInt(r -> Names.ordinal(r.pod()));
    }

    private static String names(List<Replica> replicas) {
        return replicas.stream().map(Replica::pod).toList().toString();
    }
}
