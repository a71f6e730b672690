package io.learningdb.operator.postgres;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Brings a running PgBouncer to the settings of its ini without a restart: compares what {@code SHOW CONFIG} reports
 * with the settings the operator rendered, and sends {@code RELOAD} when they differ. Clients stay connected; pool
 * sizes and limits change at once. kubelet updates the mounted ini up to about a minute after the ConfigMap changed,
 * so a RELOAD may still read the old file: the outcome then says what still differs, and the caller asks again later.
 * Settings only a restart applies are left to the rolling update of the pooler pods.
 */
public final class PoolerReload {

    private PoolerReload() {
    }

    /** What became of one pooler. */
    public sealed interface Outcome permits UpToDate, Reloaded, Pending {
    }

    /** Already ran the desired settings: nothing sent. */
    public record UpToDate() implements Outcome {
    }

    /** RELOAD applied the listed changes ({@code name: old → new}). */
    public record Reloaded(List<String> changes) implements Outcome {
    }

    /** Still different after RELOAD (the mounted file is not updated yet): {@code name: running → wanted}. */
    public record Pending(List<String> differences) implements Outcome {
    }

    public static Outcome apply(Endpoint pooler, Login login, Map<String, String> desired, Set<String> restartOnly)
            throws SQLException {
        var before = differences(desired, PoolerAdmin.showConfig(pooler, login), restartOnly);
        if (before.isEmpty()) {
            return new UpToDate();
        }
        PoolerAdmin.reload(pooler, login);
        var after = differences(desired, PoolerAdmin.showConfig(pooler, login), restartOnly);
        return after.isEmpty() ? new Reloaded(before) : new Pending(after);
    }

    /** Changeable settings whose running value is not the desired one: {@code name: running → wanted}. Pure. */
    public static List<String> differences(Map<String, String> desired, Map<String, PoolerAdmin.Setting> running,
            Set<String> restartOnly) {
        var out = new ArrayList<String>();
        desired.forEach((name, wanted) -> {
            var now = running.get(name);
            if (restartOnly.contains(name) || now == null || !now.changeable()) {
                return; // applied by a restart (or unknown to this PgBouncer: it says so in its log)
            }
            if (!same(wanted, now.value())) {
                out.add(name + ": " + now.value() + " → " + wanted);
            }
        });
        return out;
    }

    /** The ini's text and SHOW CONFIG's agree: numbers by value, booleans as 0/1, lists without blanks. */
    static boolean same(String ini, String shown) {
        String a = ini == null ? "" : ini.trim();
        String b = shown == null ? "" : shown.trim();
        if (a.equals(b)) {
            return true;
        }
        try {
            return new BigDecimal(a).compareTo(new BigDecimal(b)) == 0;
        } catch (NumberFormatException e) {
            // not numbers
        }
        String bool = switch (a.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> "1";
            case "off", "false", "no" -> "0";
            default -> null;
        };
        if (bool != null) {
            return bool.equals(b);
        }
        return a.replaceAll("\\s*,\\s*", ",").equals(b.replaceAll("\\s*,\\s*", ","));
    }
}
