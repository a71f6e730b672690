package io.learningdb.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.learningdb.operator.install.HelmChart;

/**
 * Least privilege, derived from what the code does: every API request the operator made during the operator test
 * suite (recorded by {@link OperatorRequests}, told apart from the tests' own requests by user agent) becomes a
 * (group, resource, verb) permission. The chart must grant each of them, and nothing else except the few listed
 * below with the reason the mock API server cannot show them. Runs after Surefire (Failsafe), so it sees the whole
 * suite's requests.
 */
class RbacDerivedFromCodeIT {

    /** Granted but not observable against the mock API server, each with its reason. */
    static final Map<String, String> NOT_OBSERVABLE = Map.of(
            "coordination.k8s.io leases get", "leader election runs in the prod profile only (QOSDK), not in tests",
            "coordination.k8s.io leases create", "leader election runs in the prod profile only (QOSDK), not in tests",
            "coordination.k8s.io leases update", "leader election runs in the prod profile only (QOSDK), not in tests",
            "learningdb.io learningdatabases/finalizers update", "owner references with blockOwnerDeletion need it where "
                    + "the OwnerReferencesPermissionEnforcement admission plugin runs (OpenShift); the mock server has none");

    record Permission(String group, String resource, String verb) implements Comparable<Permission> {
        @Override
        public String toString() {
            return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
        }

        String key() {
            return group + " " + resource + " " + verb;
        }

        @Override
        public int compareTo(Permission o) {
            return toString().compareTo(o.toString());
        }
    }

    @Test
    void theChartGrantsExactlyWhatTheOperatorUses() throws IOException {
        Map<Permission, String> observed = observed();
        assertThat(observed).as("no recorded operator requests in " + OperatorRequests.DIR
                + ": run the whole test suite (./mvnw verify) first").hasSizeGreaterThan(20);

        List<HasMetadata> objects = HelmChart.objects(HelmChart.template(Map.of()));
        Set<Permission> granted = new TreeSet<>();
        for (ClusterRole r : HelmChart.ofType(objects, ClusterRole.class)) {
            r.getRules().forEach(rule -> expand(rule, granted));
        }
        for (Role r : HelmChart.ofType(objects, Role.class)) {
            r.getRules().forEach(rule -> expand(rule, granted));
        }
        // the namespaced install grants the same per watched namespace
        List<HasMetadata> namespaced = HelmChart.objects(HelmChart.template(Map.of("watchNamespaces[0]", "team-a")));
        Set<Permission> grantedNamespaced = new TreeSet<>();
        HelmChart.ofType(namespaced, ClusterRole.class).forEach(r -> r.getRules().forEach(rule -> expand(rule, grantedNamespaced)));
        HelmChart.ofType(namespaced, Role.class).forEach(r -> r.getRules().forEach(rule -> expand(rule, grantedNamespaced)));
        assertThat(grantedNamespaced).as("namespaced install grants the same permissions").isEqualTo(granted);

        var missing = observed.keySet().stream().filter(p -> !granted.contains(p))
                .map(p -> p + "   (e.g. " + observed.get(p) + ")").toList();
        assertThat(missing).as("the operator does this but the chart does not allow it").isEmpty();

        var excess = granted.stream().filter(p -> !observed.containsKey(p) && !NOT_OBSERVABLE.containsKey(p.key()))
                .map(Permission::toString).toList();
        assertThat(excess).as("the chart allows this but no operator code path used it in the test suite").isEmpty();

        var stale = NOT_OBSERVABLE.keySet().stream()
                .filter(k -> granted.stream().noneMatch(p -> p.key().equals(k))).toList();
        assertThat(stale).as("exceptions listed for permissions the chart no longer grants").isEmpty();
    }

    private static void expand(PolicyRule rule, Set<Permission> into) {
        for (String g : rule.getApiGroups()) {
            for (String r : rule.getResources()) {
                for (String v : rule.getVerbs()) {
                    into.add(new Permission(g, r, v));
                }
            }
        }
    }

    /** Permission -> one request that needed it. */
    static Map<Permission, String> observed() throws IOException {
        Map<Permission, String> out = new TreeMap<>();
        if (!Files.isDirectory(OperatorRequests.DIR)) {
            return out;
        }
        try (var files = Files.list(OperatorRequests.DIR)) {
            for (Path f : files.sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        out.putIfAbsent(permission(line), line);
                    }
                }
            }
        }
        return out;
    }

    /** "METHOD /api/v1/namespaces/ns/pods/name?x" -> (group, resource[/subresource], verb). */
    static Permission permission(String line) {
        String method = line.substring(0, line.indexOf(' '));
        String full = line.substring(line.indexOf(' ') + 1);
        String path = full.contains("?") ? full.substring(0, full.indexOf('?')) : full;
        String query = full.contains("?") ? full.substring(full.indexOf('?') + 1) : "";
        List<String> seg = List.of(path.replaceFirst("^/", "").split("/"));
        String group;
        List<String> rest;
        if (seg.get(0).equals("api")) {
            group = "";
            rest = seg.subList(2, seg.size());
        } else if (seg.get(0).equals("apis")) {
            group = seg.get(1);
            rest = seg.subList(3, seg.size());
        } else {
            throw new IllegalArgumentException("not a resource request: " + line);
        }
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.get(0);
        boolean named = rest.size() >= 2;
        if (rest.size() >= 3) {
            resource = resource + "/" + rest.get(2);
        }
        Set<String> params = Set.of(query.split("&")).stream().collect(Collectors.toSet());
        String verb = switch (method) {
            case "GET" -> named ? "get" : params.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("unexpected method: " + line);
        };
        return new Permission(group, resource, verb);
    }
}
