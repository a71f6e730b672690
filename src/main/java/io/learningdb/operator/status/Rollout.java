package io.learningdb.operator.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.postgres.InstanceSettings;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.resources.PostgresConfig;
import io.learningdb.operator.resources.VolumeExpansion;

/**
 * How far the instances are from what the spec asks, and what a restart would change. Configuration files reach a
 * running instance by reload (instance.sh); only what PostgreSQL itself reports as {@code pending_restart}, or a pod
 * template that differs (image, scripts, volumes: what only a new container can take), needs a restart. Pure: built
 * from the pods, the StatefulSet's template and the probe's last reading.
 *
 * @param desiredVersion the configuration version the spec renders (PostgresConfig.configVersion)
 * @param outdated pods whose container differs from the template, by pod name (why, for events)
 * @param pendingRestart parameters each instance has loaded but applies only on restart, read after the pod started
 * @param loading instances that answered with an older configuration version (kubelet has not updated their
 *        mounted ConfigMap yet, or instance.sh has not reloaded it)
 * @param refused settings PostgreSQL refused, by instance: a restart would not even start with them
 * @param lowered parameters the primary would run lower after a restart that a replica must not run below it: the
 *        primary would have to restart first, which the operator does not do (yet), so nothing restarts
 * @param poolers pooler pods not running the rendered pgbouncer.ini yet, with what differs
 * @param claims the instances' PersistentVolumeClaims, by pod (requested and actual size in status; expansion)
 */
public record Rollout(String desiredVersion, Map<String, String> outdated, Map<String, List<String>> pendingRestart,
        List<String> loading, Map<String, List<String>> refused, List<String> lowered, Map<String, String> poolers,
        Map<String, PersistentVolumeClaim> claims) {

    public static final String UP_TO_DATE = "UpToDate";
    public static final String CONFIGURATION_RELOADING = "ConfigurationReloading";
    public static final String ROLLING_RESTART = "RollingRestart";
    public static final String RESTART_HELD = "RestartHeld";
    public static final String PARAMETER_REFUSED = "ParameterRefused";
    public static final String POOLER_RELOADING = "PoolerReloading";
    /** No longer set (the primary restarts in place): removed where an earlier operator version left it. */
    public static final String PARAMETER_LOWERED = "ParameterLowered";
    public static final String VOLUME_EXPANDING = "VolumeExpanding";

    public static Rollout observe(LearningDatabase ldb, List<Pod> pods, Optional<PodTemplateSpec> template,
            Optional<ReplicationSnapshot> snapshot) {
        String desired = PostgresConfig.configVersion(ldb);
        var settings = snapshot.map(ReplicationSnapshot::settings).orElse(Map.of());
        var outdated = new TreeMap<String, String>();
        var pending = new TreeMap<String, List<String>>();
        var loading = new ArrayList<String>();
        var refused = new TreeMap<String, List<String>>();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            template.flatMap(t -> differs(pod, t)).ifPresent(why -> outdated.put(name, why));
            InstanceSettings s = settings.get(name);
            if (s == null) {
                continue; // not measured (yet): nothing known, nothing held
            }
            var waiting = s.pendingRestartSince(containerStarted(pod));
            if (!waiting.isEmpty()) {
                pending.put(name, waiting);
            }
            if (s.configVersion() != null && !s.configVersion().equals(desired)) {
                loading.add(name);
            }
            if (!s.refused().isEmpty()) {
                refused.put(name, s.refused());
            }
        }
        var lowered = snapshot.map(ReplicationSnapshot::primary).map(settings::get)
                .map(InstanceSettings::lowered).orElse(List.of());
        return new Rollout(desired, outdated, pending, loading, refused, lowered, Map.of(), Map.of());
    }

    /**
     * The same, with instances that have not loaded the configuration for {@code patience} (their reload is stuck:
     * kubelet and instance.sh take about a minute) needing a restart instead, which installs the current files.
     */
    public Rollout withStalledReloads(java.util.Set<String> stalled, java.time.Duration patience) {
        var nextOutdated = new TreeMap<>(outdated);
        stalled.forEach(pod -> nextOutdated.merge(pod, "configuration " + desiredVersion + " not loaded after "
                + patience.toMinutes() + " min (a restart installs it)", (a, b) -> a + "; " + b));
        var stillLoading = loading.stream().filter(pod -> !stalled.contains(pod)).toList();
        return new Rollout(desiredVersion, nextOutdated, pendingRestart, stillLoading, refused, lowered, poolers, claims);
    }

    /** The same, with the pooler pods that do not run the rendered pgbouncer.ini yet. */
    public Rollout withPoolers(Map<String, String> notApplied) {
        return new Rollout(desiredVersion, outdated, pendingRestart, loading, refused, lowered, Map.copyOf(notApplied),
                claims);
    }

    /** The same, with the instances' PersistentVolumeClaims (the claims of other clusters or templates are left out). */
    public Rollout withVolumes(List<PersistentVolumeClaim> all, LearningDatabase ldb) {
        var byPod = new TreeMap<String, PersistentVolumeClaim>();
        for (var claim : all) {
            VolumeExpansion.podOf(ldb, claim).ifPresent(pod -> byPod.put(pod, claim));
        }
        return new Rollout(desiredVersion, outdated, pendingRestart, loading, refused, lowered, poolers, byPod);
    }

    /** Claims whose volume has not grown to what they ask for yet, with how far it is. */
    Map<String, String> expanding() {
        var out = new TreeMap<String, String>();
        claims.forEach((pod, claim) -> {
            var capacity = VolumeExpansion.capacity(claim);
            if (capacity != null && !VolumeExpansion.grown(claim)) {
                out.put(claim.getMetadata().getName(), capacity + " of " + VolumeExpansion.requested(claim)
                        + VolumeExpansion.resizeCondition(claim).map(c -> ", " + c).orElse(""));
            }
        });
        return out;
    }

    /** Why the pod's container is not what the template asks (image, config hash, TLS fingerprint); empty when it is. */
    static Optional<String> differs(Pod pod, PodTemplateSpec template) {
        if (!Objects.equals(image(template.getSpec().getContainers()),
                image(pod.getSpec() == null ? List.of() : pod.getSpec().getContainers()))) {
            return Optional.of("new image " + image(template.getSpec().getContainers()));
        }
        var wanted = Labels.ownAnnotations(template.getMetadata().getAnnotations());
        var has = Labels.ownAnnotations(pod.getMetadata().getAnnotations());
        if (!Objects.equals(wanted, has)) {
            return Optional.of(Objects.equals(wanted.get(Labels.CONFIG_HASH), has.get(Labels.CONFIG_HASH))
                    ? "new server certificate" : "new instance scripts");
        }
        return Optional.empty();
    }

    private static String image(List<Container> containers) {
        return InstanceStatefulSet.postgresImage(containers).orElse(null);
    }

    /** When the instance's container started (the pod's creation when kubelet has not said). */
    static Instant containerStarted(Pod pod) {
        if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
            var started = pod.getStatus().getContainerStatuses().stream()
                    .filter(c -> InstanceStatefulSet.CONTAINER.equals(c.getName()))
                    .filter(c -> c.getState() != null && c.getState().getRunning() != null
                            && c.getState().getRunning().getStartedAt() != null)
                    .map(c -> c.getState().getRunning().getStartedAt()).findFirst();
            if (started.isPresent()) {
                return Instant.parse(started.get());
            }
        }
        String created = pod.getMetadata().getCreationTimestamp();
        return created == null ? null : Instant.parse(created);
    }

    /** The pod needs a restart: its container is outdated, or PostgreSQL waits for one. */
    public boolean needsRestart(String pod) {
        return outdated.containsKey(pod) || pendingRestart.containsKey(pod);
    }

    /**
     * Planned restarts wait while a configuration is still reaching the instances (what they would restart with is
     * not known everywhere yet) and while PostgreSQL refuses a value (it would not start with it).
     */
    public boolean restartsHeld() {
        return !loading.isEmpty() || !refused.isEmpty() || !lowered.isEmpty();
    }

    /** Why the pod is restarted, for its event. */
    public String why(String pod) {
        var reasons = new ArrayList<String>();
        Optional.ofNullable(outdated.get(pod)).ifPresent(reasons::add);
        Optional.ofNullable(pendingRestart.get(pod))
                .ifPresent(p -> reasons.add(String.join(", ", p) + (p.size() == 1 ? " takes" : " take") + " effect on restart"));
        return String.join("; ", reasons);
    }

    /**
     * Status: each instance's pending-restart parameters, Progressing (what is under way, or UpToDate), and
     * SpecApplied=False with ParameterRefused while PostgreSQL refuses a value (removed once it does not).
     */
    public void apply(LearningDatabaseStatus previous, LearningDatabaseStatus next, long generation, Instant now) {
        for (InstanceStatus i : next.getInstances()) {
            var p = pendingRestart.get(i.getName());
            i.setPendingRestart(p == null ? null : List.copyOf(p));
            Optional.ofNullable(claims.get(i.getName())).ifPresent(claim -> {
                i.setStorageRequested(Optional.ofNullable(VolumeExpansion.requested(claim)).map(Quantity::toString).orElse(null));
                i.setStorageCapacity(Optional.ofNullable(VolumeExpansion.capacity(claim)).map(Quantity::toString).orElse(null));
            });
        }
        var expanding = expanding();
        var conditions = next.getConditions();
        var prev = previous.getConditions();
        var restarts = new LinkedHashMap<String, String>();
        next.getInstances().stream().map(InstanceStatus::getName).filter(this::needsRestart)
                .forEach(pod -> restarts.put(pod, why(pod)));
        String toRestart = restarts.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
        if (!lowered.isEmpty()) {
            Conditions.set(conditions, prev, Conditions.PROGRESSING, true, RESTART_HELD, "restarts wait: "
                    + loweredText() + ": " + toRestart, generation, now);
        } else if (!refused.isEmpty()) {
            Conditions.set(conditions, prev, Conditions.PROGRESSING, true, RESTART_HELD, restarts.isEmpty()
                    ? "PostgreSQL refuses " + refusedText() + "; the instances keep the last valid value"
                    : "restarts wait while PostgreSQL refuses " + refusedText() + " (an instance would not start with it): "
                            + toRestart, generation, now);
        } else if (!loading.isEmpty()) {
            Conditions.set(conditions, prev, Conditions.PROGRESSING, true, CONFIGURATION_RELOADING,
                    String.join(", ", loading) + " not on configuration " + desiredVersion + " yet (kubelet updates the "
                            + "mounted ConfigMap within about a minute, then the instance reloads it)"
                            + (restarts.isEmpty() ? "" : "; then restarts: " + toRestart), generation, now);
        } else if (!restarts.isEmpty()) {
            Conditions.set(conditions, prev, Conditions.PROGRESSING, true, ROLLING_RESTART,
                    "restarting one instance at a time, replicas first, the primary by a switchover: " + toRestart,
                    generation, now);
        } else if (!expanding.isEmpty()) {
            Conditions.set(conditions, prev, Conditions.PROGRESSING, true, VOLUME_EXPANDING, "volumes growing (the "
                    + "storage driver, then kubelet for the file system): " + expanding.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("; ")), generation, now);
        } else if (!poolers.isEmpty()) {
            Conditions.set(conditions, prev, Conditions.PROGRESSING, true, POOLER_RELOADING, "pgbouncer.ini not applied "
                    + "yet (kubelet updates the mounted ConfigMap within about a minute; the operator sends RELOAD until "
                    + "it is): " + new TreeMap<>(poolers).entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                            .collect(Collectors.joining(", ")), generation, now);
        } else {
            Conditions.set(conditions, prev, Conditions.PROGRESSING, false, UP_TO_DATE,
                    "every instance runs the current image and configuration " + desiredVersion, generation, now);
        }
        if (!refused.isEmpty()) {
            Conditions.set(conditions, prev, Conditions.SPEC_APPLIED, false, PARAMETER_REFUSED, "PostgreSQL refuses "
                    + refusedText() + "; the last valid value stays in effect until spec.postgres.parameters is fixed",
                    generation, now);
        } else {
            conditions.removeIf(c -> Conditions.SPEC_APPLIED.equals(c.getType())
                    && (PARAMETER_REFUSED.equals(c.getReason()) || PARAMETER_LOWERED.equals(c.getReason())));
        }
    }

    private String loweredText() {
        return "lowering " + String.join(", ", lowered) + " needs the primary restarted before its replicas (a replica "
                + "refuses to start below the primary's value): the operator restarts the primary in place once every "
                + "instance is ready";
    }

    private String refusedText() {
        // the same file on every instance: name each refused setting once, with where
        var where = new TreeMap<String, List<String>>();
        refused.forEach((pod, settings) -> settings.forEach(s -> where.computeIfAbsent(s, k -> new ArrayList<>()).add(pod)));
        return where.entrySet().stream().map(e -> e.getKey() + " (" + String.join(", ", e.getValue()) + ")")
                .collect(Collectors.joining(", "));
    }
}
