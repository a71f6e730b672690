package io.learningdb.operator.postgres;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

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
        return apply(pooler, login, desired, restartOnly, null);
    }

    /**
     * @param tlsFingerprint the fingerprint of the TLS Secret the pod should have loaded (pooler.sh installs and reloads
     *        it itself: a RELOAD does not bring it sooner); null to not check
     */
    public static Outcome apply(Endpoint pooler, Login login, Map<String, String> desired, Set<String> restartOnly,
            String tlsFingerprint) throws SQLException {
        var running = PoolerAdmin.showConfig(pooler, login);
        var before = differences(desired, running, restartOnly);
        if (before.isEmpty()) {
            return tlsDifference(running, tlsFingerprint).<Outcome>map(d -> new Pending(List.of(d)))
                    .orElseGet(UpToDate::new);
        }
        PoolerAdmin.reload(pooler, login);
        var after = PoolerAdmin.showConfig(pooler, login);
        var still = new ArrayList<>(differences(desired, after, restartOnly));
        tlsDifference(after, tlsFingerprint).ifPresent(still::add);
        return still.isEmpty() ? new Reloaded(before) : new Pending(still);
    }

    /**
     * The fingerprint of the TLS files a pooler has loaded, from SHOW CONFIG's client_tls_cert_file: pooler.sh installs
     * them in a directory named by it ({@code .../tls/<fingerprint>/tls.crt}). Empty without TLS or pooler.sh.
     */
    public static Optional<String> loadedTlsFingerprint(Map<String, PoolerAdmin.Setting> running) {
        var file = running.get("client_tls_cert_file");
        if (file == null || file.value() == null) {
            return Optional.empty();
        }
        var m = LOADED_TLS.matcher(file.value());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static final Pattern LOADED_TLS = Pattern.compile("/tls/([0-9a-f]{16})/tls\\.crt$");

    private static Optional<String> tlsDifference(Map<String, PoolerAdmin.Setting> running, String wanted) {
        if (wanted == null) {
            return Optional.empty();
        }
        String loaded = loadedTlsFingerprint(running).orElse("none");
        return loaded.equals(wanted) ? Optional.empty()
                : Optional.of("TLS certificate and CA bundle: " + loaded + " → " + wanted);
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
