package io.learningdb.operator.resources;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.learningdb.operator.model.Syntax;

/**
 * What kube-apiserver (and the CronJob controller) accept in the objects the operator derives from a spec, checked
 * before those objects are sent: a spec that passes here produces objects the API server takes. Each method returns
 * the problems found, each a sentence naming the field.
 */
public final class KubernetesSyntax {

    private static final Pattern SUBDOMAIN = Pattern.compile(Syntax.DNS1123_SUBDOMAIN);
    private static final Pattern DNS1035 = Pattern.compile(Syntax.DNS1035_LABEL);
    private static final Pattern NAME_PART = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
    private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
    /** Kubernetes' quantity grammar: a decimal number with a binary or decimal suffix, or an exponent. */
    private static final Pattern QUANTITY = Pattern
            .compile("^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$");
    private static final Set<String> MACROS = Set.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
            "@midnight", "@hourly");
    /**
     * The CronJob controller's standard parser: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC,
     * day of week 0-6 or SUN-SAT (7 is refused), with *, ranges, lists, steps and ? for either day field.
     */
    private static final CronDefinition CRON = CronDefinitionBuilder.defineCron()
            .withMinutes().withValidRange(0, 59).and()
            .withHours().withValidRange(0, 23).and()
            .withDayOfMonth().withValidRange(1, 31).supportsQuestionMark().and()
            .withMonth().withValidRange(1, 12).and()
            .withDayOfWeek().withValidRange(0, 6).withMondayDoWValue(1).supportsQuestionMark().and()
            .instance();
    private static final CronParser PARSER = new CronParser(CRON);
    private static final Set<String> STANDARD_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");

    private KubernetesSyntax() {
    }

    public static boolean isDns1035Label(String s) {
        return s != null && s.length() <= 63 && DNS1035.matcher(s).matches();
    }

    public static boolean isDnsSubdomain(String s) {
        return s != null && s.length() <= 253 && SUBDOMAIN.matcher(s).matches();
    }

    /** A 5-field schedule the CronJob controller accepts (or a macro such as @daily). */
    public static Optional<String> cron(String field, String schedule) {
        if (schedule == null || schedule.isBlank()) {
            return Optional.of(field + " is required");
        }
        String s = schedule.trim();
        if (MACROS.contains(s)) {
            return Optional.empty();
        }
        if (s.split("\\s+").length != 5) {
            return Optional.of(field + " must have 5 fields (minute hour day-of-month month day-of-week), got '" + schedule + "'");
        }
        try {
            PARSER.parse(s).validate();
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(field + " '" + schedule + "' is not a valid schedule: " + e.getMessage()
                    + " (minute 0-59, hour 0-23, day 1-31, month 1-12, day of week 0-6)");
        }
    }

    /** An IANA time zone name as the CronJob controller loads it; "Local" and offsets are refused, as there. */
    public static Optional<String> timeZone(String field, String zone) {
        if (zone == null) {
            return Optional.empty();
        }
        if (!ZoneId.getAvailableZoneIds().contains(zone) || zone.equalsIgnoreCase("Local")) {
            return Optional.of(field + " '" + zone + "' is not an IANA time zone name such as Europe/Berlin or UTC");
        }
        return Optional.empty();
    }

    /** Requests and limits: known resource names, quantities that parse, not negative, requests within limits. */
    public static List<String> resources(String field, ResourceRequirements r) {
        var problems = new ArrayList<String>();
        if (r == null) {
            return problems;
        }
        quantities(problems, field + ".requests", r.getRequests());
        quantities(problems, field + ".limits", r.getLimits());
        if (problems.isEmpty() && r.getRequests() != null && r.getLimits() != null) {
            r.getRequests().forEach((name, request) -> {
                Quantity limit = r.getLimits().get(name);
                if (limit != null && amount(request).compareTo(amount(limit)) > 0) {
                    problems.add(field + ".requests." + name + " (" + request + ") must be less than or equal to the "
                            + "limit (" + limit + ")");
                }
            });
        }
        return problems;
    }

    private static void quantities(List<String> problems, String field, Map<String, Quantity> values) {
        if (values == null) {
            return;
        }
        values.forEach((name, q) -> {
            if (!isResourceName(name)) {
                problems.add(field + ": '" + name + "' is not a resource name (cpu, memory, ephemeral-storage, "
                        + "hugepages-<size> or a domain-prefixed extended resource)");
            }
            String text = q == null ? null : q.toString();
            if (text == null || !QUANTITY.matcher(text).matches()) {
                problems.add(field + "." + name + ": '" + text + "' is not a quantity such as 500m, 2 or 4Gi");
            } else if (amount(q).signum() < 0) {
                problems.add(field + "." + name + " must not be negative");
            }
        });
    }

    private static BigDecimal amount(Quantity q) {
        return Quantity.getAmountInBytes(q);
    }

    static boolean isResourceName(String name) {
        if (STANDARD_RESOURCES.contains(name) || (name.startsWith("hugepages-") && name.length() > 10)) {
            return true;
        }
        int slash = name.indexOf('/');
        return slash > 0 && qualifiedName(name).isEmpty() && !name.startsWith("kubernetes.io/")
                && !name.startsWith("requests.");
    }

    /** A label key or other qualified name: an optional DNS subdomain prefix and a name of at most 63 characters. */
    public static Optional<String> qualifiedName(String key) {
        if (key == null) {
            return Optional.of("a name is required");
        }
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            if (!isDnsSubdomain(key.substring(0, slash))) {
                return Optional.of("'" + key + "': the prefix must be a DNS subdomain");
            }
            name = key.substring(slash + 1);
        }
        if (name.length() > 63 || !NAME_PART.matcher(name).matches()) {
            return Optional.of("'" + key + "': must be at most 63 alphanumeric characters, '-', '_' or '.', starting "
                    + "and ending with an alphanumeric character");
        }
        return Optional.empty();
    }

    public static Optional<String> labelValue(String value) {
        if (value == null || (value.length() <= 63 && LABEL_VALUE.matcher(value).matches())) {
            return Optional.empty();
        }
        return Optional.of("'" + value + "': a label value must be at most 63 alphanumeric characters, '-', '_' or "
                + "'.', starting and ending with an alphanumeric character");
    }

    /** NetworkPolicy peers as kube-apiserver validates them. */
    public static List<String> networkPolicyPeers(String field, List<NetworkPolicyPeer> peers) {
        var problems = new ArrayList<String>();
        if (peers == null) {
            return problems;
        }
        for (int i = 0; i < peers.size(); i++) {
            String at = field + "[" + i + "]";
            NetworkPolicyPeer p = peers.get(i);
            if (p == null || (p.getPodSelector() == null && p.getNamespaceSelector() == null && p.getIpBlock() == null)) {
                problems.add(at + " must specify podSelector, namespaceSelector or ipBlock");
                continue;
            }
            if (p.getIpBlock() != null && (p.getPodSelector() != null || p.getNamespaceSelector() != null)) {
                problems.add(at + ": ipBlock may not be combined with podSelector or namespaceSelector");
            }
            selector(problems, at + ".podSelector", p.getPodSelector());
            selector(problems, at + ".namespaceSelector", p.getNamespaceSelector());
            ipBlock(problems, at + ".ipBlock", p.getIpBlock());
        }
        return problems;
    }

    private static void selector(List<String> problems, String field, LabelSelector s) {
        if (s == null) {
            return;
        }
        if (s.getMatchLabels() != null) {
            s.getMatchLabels().forEach((k, v) -> {
                qualifiedName(k).ifPresent(p -> problems.add(field + ".matchLabels: " + p));
                labelValue(v).ifPresent(p -> problems.add(field + ".matchLabels." + k + ": " + p));
            });
        }
        if (s.getMatchExpressions() != null) {
            for (var e : s.getMatchExpressions()) {
                qualifiedName(e.getKey()).ifPresent(p -> problems.add(field + ".matchExpressions: " + p));
                String op = e.getOperator();
                boolean hasValues = e.getValues() != null && !e.getValues().isEmpty();
                if ("In".equals(op) || "NotIn".equals(op)) {
                    if (!hasValues) {
                        problems.add(field + ".matchExpressions: " + op + " needs at least one value");
                    }
                    e.getValues().forEach(v -> labelValue(v).ifPresent(p -> problems.add(field + ".matchExpressions: " + p)));
                } else if ("Exists".equals(op) || "DoesNotExist".equals(op)) {
                    if (hasValues) {
                        problems.add(field + ".matchExpressions: " + op + " takes no values");
                    }
                } else {
                    problems.add(field + ".matchExpressions: operator '" + op + "' is not In, NotIn, Exists or DoesNotExist");
                }
            }
        }
    }

    private static void ipBlock(List<String> problems, String field, IPBlock block) {
        if (block == null) {
            return;
        }
        Optional<Cidr> cidr = Cidr.parse(block.getCidr());
        if (cidr.isEmpty()) {
            problems.add(field + ".cidr: '" + block.getCidr() + "' is not a CIDR such as 10.0.0.0/16");
            return;
        }
        if (block.getExcept() != null) {
            for (String except : block.getExcept()) {
                Optional<Cidr> e = Cidr.parse(except);
                if (e.isEmpty()) {
                    problems.add(field + ".except: '" + except + "' is not a CIDR");
                } else if (!cidr.get().strictlyContains(e.get())) {
                    problems.add(field + ".except: '" + except + "' must be strictly within " + block.getCidr());
                }
            }
        }
    }

    /** An IPv4 or IPv6 CIDR. */
    record Cidr(byte[] address, int prefix) {
        static Optional<Cidr> parse(String s) {
            if (s == null || s.indexOf('/') < 0) {
                return Optional.empty();
            }
            String ip = s.substring(0, s.indexOf('/'));
            String bits = s.substring(s.indexOf('/') + 1);
            if (!ip.matches("^[0-9.]+$") && !ip.matches("^[0-9a-fA-F:.]+$") || !bits.matches("^[0-9]{1,3}$")) {
                return Optional.empty();
            }
            if (ip.contains(".") && !ip.contains(":")) {
                String[] octets = ip.split("\\.", -1);
                if (octets.length != 4) {
                    return Optional.empty();
                }
                for (String o : octets) {
                    if (o.isEmpty() || o.length() > 3 || Integer.parseInt(o) > 255) {
                        return Optional.empty();
                    }
                }
            }
            try {
                byte[] address = InetAddress.getByName(ip).getAddress(); // a literal: no lookup happens
                int prefix = Integer.parseInt(bits);
                return prefix > address.length * 8 ? Optional.empty() : Optional.of(new Cidr(address, prefix));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }

        boolean strictlyContains(Cidr other) {
            if (other.address.length != address.length || other.prefix <= prefix) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((address[bit / 8] & mask) != (other.address[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
