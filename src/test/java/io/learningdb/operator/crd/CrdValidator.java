package io.learningdb.operator.crd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;

import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

/**
 * What the API server does with a LearningDatabase at admission, run from the committed CRD in crds/: apply
 * schema defaults, check the structural schema (types, enums, bounds, patterns, required and unknown fields, like
 * {@code kubectl apply --validate=strict}, with bounds on numbers, lengths and item counts), then evaluate every x-kubernetes-validations CEL rule, with oldSelf
 * for transition rules on update. The mock API server does none of this, so tests use it to prove what a real
 * cluster would accept or refuse.
 */
public final class CrdValidator {

    public static final Path CRD = Path.of("crds/learningdatabases.learningdb.io-v1.yml");

    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            // kube-apiserver offers the strings extension (substring, ...) to CRD rules
            .addLibraries(dev.cel.extensions.CelExtensions.strings())
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .addLibraries(dev.cel.extensions.CelExtensions.strings())
            .build();

    private final Map<String, Object> schema;

    private CrdValidator(Map<String, Object> schema) {
        this.schema = schema;
    }

    @SuppressWarnings("unchecked")
    public static CrdValidator fromCommittedCrd() {
        try {
            Map<String, Object> crd = new Yaml().load(Files.readString(CRD));
            var versions = (List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions");
            var v1alpha1 = versions.stream().filter(v -> "v1alpha1".equals(v.get("name"))).findFirst().orElseThrow();
            var schema = (Map<String, Object>) ((Map<String, Object>) v1alpha1.get("schema")).get("openAPIV3Schema");
            return new CrdValidator(schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String yaml) {
        return (Map<String, Object>) normalize(new Yaml().load(yaml));
    }

    /** Problems a create would be refused for; empty when the API server would accept it. */
    public List<String> validateCreate(Map<String, Object> object) {
        var problems = new ArrayList<String>();
        Object defaulted = withDefaults(schema, normalize(object));
        check(schema, defaulted, null, "", problems);
        return problems;
    }

    /** Problems an update from {@code old} to {@code updated} would be refused for (transition rules included). */
    public List<String> validateUpdate(Map<String, Object> old, Map<String, Object> updated) {
        var problems = new ArrayList<String>();
        Object oldDefaulted = withDefaults(schema, normalize(old));
        Object defaulted = withDefaults(schema, normalize(updated));
        check(schema, defaulted, oldDefaulted, "", problems);
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static Object withDefaults(Map<String, Object> schema, Object value) {
        if (value instanceof Map<?, ?> map && schema.get("properties") instanceof Map<?, ?> props) {
            var result = new LinkedHashMap<String, Object>((Map<String, Object>) map);
            ((Map<String, Map<String, Object>>) props).forEach((name, sub) -> {
                if (!result.containsKey(name) && sub.containsKey("default")) {
                    result.put(name, normalize(sub.get("default")));
                }
                if (result.containsKey(name)) {
                    result.put(name, withDefaults(sub, result.get(name)));
                }
            });
            return result;
        }
        if (value instanceof List<?> list && schema.get("items") instanceof Map<?, ?> items) {
            return list.stream().map(v -> withDefaults((Map<String, Object>) items, v)).toList();
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private void check(Map<String, Object> s, Object value, Object old, String path, List<String> problems) {
        if (value == null) {
            if (!Boolean.TRUE.equals(s.get("nullable"))) {
                problems.add(path + ": may not be null");
            }
            return;
        }
        String type = (String) s.get("type");
        boolean intOrString = Boolean.TRUE.equals(s.get("x-kubernetes-int-or-string"));
        if (intOrString) {
            if (!(value instanceof Long || value instanceof String)) {
                problems.add(path + ": must be an integer or a string");
            }
        } else if (type != null && !hasType(type, value)) {
            problems.add(path + ": must be of type " + type + " (got " + value + ")");
            return;
        }
        if (s.get("enum") instanceof List<?> allowed && !allowed.contains(value)) {
            problems.add(path + ": must be one of " + allowed + " (got " + value + ")");
        }
        if (value instanceof Number n) {
            if (s.get("minimum") instanceof Number min && new BigDecimal(n.toString()).compareTo(new BigDecimal(min.toString())) < 0) {
                problems.add(path + ": must be >= " + min + " (got " + n + ")");
            }
            if (s.get("maximum") instanceof Number max && new BigDecimal(n.toString()).compareTo(new BigDecimal(max.toString())) > 0) {
                problems.add(path + ": must be <= " + max + " (got " + n + ")");
            }
        }
        if (value instanceof List<?> list) {
            if (s.get("minItems") instanceof Number min && list.size() < min.intValue()) {
                problems.add(path + ": must have at least " + min + " items");
            }
            if (s.get("maxItems") instanceof Number max && list.size() > max.intValue()) {
                problems.add(path + ": must have at most " + max + " items");
            }
        }
        if (value instanceof String str) {
            if (s.get("minLength") instanceof Number min && str.length() < min.intValue()) {
                problems.add(path + ": must be at least " + min + " characters");
            }
            if (s.get("maxLength") instanceof Number max && str.length() > max.intValue()) {
                problems.add(path + ": must be at most " + max + " characters");
            }
        }
        if (value instanceof String str && s.get("pattern") instanceof String p && !Pattern.compile(p).matcher(str).find()) {
            problems.add(path + ": must match " + p + " (got " + str + ")");
        }
        if (value instanceof Map<?, ?> map) {
            var m = (Map<String, Object>) map;
            if (s.get("maxProperties") instanceof Number max && m.size() > max.intValue()) {
                problems.add(path + ": must have at most " + max + " properties");
            }
            if (s.get("required") instanceof List<?> required) {
                for (Object r : required) {
                    if (!m.containsKey((String) r)) {
                        problems.add(path + "." + r + ": required");
                    }
                }
            }
            var props = (Map<String, Map<String, Object>>) s.get("properties");
            var additional = s.get("additionalProperties") instanceof Map<?, ?> a ? (Map<String, Object>) a : null;
            boolean preserve = Boolean.TRUE.equals(s.get("x-kubernetes-preserve-unknown-fields"));
            var oldMap = old instanceof Map<?, ?> om ? (Map<String, Object>) om : null;
            for (var e : m.entrySet()) {
                Object oldChild = oldMap == null ? null : oldMap.get(e.getKey());
                if (props != null && props.containsKey(e.getKey())) {
                    check(props.get(e.getKey()), e.getValue(), oldChild, path + "." + e.getKey(), problems);
                } else if (additional != null) {
                    check(additional, e.getValue(), oldChild, path + "." + e.getKey(), problems);
                } else if (!preserve && !(path.isEmpty() && List.of("apiVersion", "kind", "metadata").contains(e.getKey()))) {
                    problems.add(path + "." + e.getKey() + ": unknown field");
                }
            }
        }
        if (value instanceof List<?> list && s.get("items") instanceof Map<?, ?> items) {
            for (int i = 0; i < list.size(); i++) {
                check((Map<String, Object>) items, list.get(i), null, path + "[" + i + "]", problems);
            }
        }
        if (s.get("x-kubernetes-validations") instanceof List<?> rules) {
            for (Object o : rules) {
                var rule = (Map<String, Object>) o;
                String expr = (String) rule.get("rule");
                boolean transition = expr.contains("oldSelf");
                if (transition && old == null) {
                    continue; // transition rules only run on update, when both old and new values exist
                }
                var vars = new LinkedHashMap<String, Object>();
                vars.put("self", value);
                if (transition) {
                    vars.put("oldSelf", old);
                }
                if (!Boolean.TRUE.equals(evaluate(expr, vars))) {
                    problems.add((path.isEmpty() ? "<root>" : path) + ": " + rule.get("message"));
                }
            }
        }
    }

    private static Object evaluate(String expr, Map<String, Object> vars) {
        try {
            return RUNTIME.createProgram(COMPILER.compile(expr).getAst()).eval(vars);
        } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalStateException("CEL rule does not compile or evaluate: " + expr + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasType(String type, Object value) {
        return switch (type) {
            case "object" -> value instanceof Map;
            case "array" -> value instanceof List;
            case "string" -> value instanceof String;
            case "integer" -> value instanceof Long;
            case "number" -> value instanceof Long || value instanceof Double;
            case "boolean" -> value instanceof Boolean;
            default -> true;
        };
    }

    /** YAML gives Integer; CEL (like the API server) works with 64-bit integers. */
    private static Object normalize(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Map<?, ?> m) {
            var result = new LinkedHashMap<String, Object>();
            m.forEach((k, v) -> result.put(String.valueOf(k), normalize(v)));
            return result;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(CrdValidator::normalize).toList();
        }
        return value;
    }
}
