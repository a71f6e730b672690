package io.learningdb.operator.crd;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;

/**
 * A conservative upper bound of the worst-case cost kube-apiserver estimates for each x-kubernetes-validations rule of
 * a CRD when the CRD is written (apiextensions-apiserver rejects a rule whose cost times the number of times it can
 * run exceeds {@link #PER_RULE_LIMIT}, and a CRD whose rules together exceed {@link #PER_CRD_LIMIT}).
 * <p>
 * The model follows cel-go's cost estimator as Kubernetes configures it: a comprehension costs its range plus, per
 * element, its condition and step; strings cost by length (traversal factor 0.1, regular expressions length x pattern
 * x 0.25); the size of every string, list and map comes from its schema bound ({@code maxLength}, {@code enum},
 * {@code maxItems}, {@code maxProperties}). Where Kubernetes would fall back to the maximum request size (3 MiB) this
 * model refuses with {@link Unbounded} instead: a rule that reaches an unbounded value is a defect by itself. Every
 * per-call cost here is at least cel-go's (string equality is charged for the longer side, map keys are assumed 63
 * characters where Kubernetes assumes their size unknown-small), so a rule under budget here is under budget there.
 */
public final class CelCost {

    public static final long PER_RULE_LIMIT = 10_000_000L;
    public static final long PER_CRD_LIMIT = 100_000_000L;
    /** Length assumed for map keys: longer than any PostgreSQL or PgBouncer setting name. */
    static final long MAP_KEY_LENGTH = 63;
    /** metadata.name of a custom resource: a DNS-1123 subdomain. */
    static final long NAME_LENGTH = 253;

    private static final CelCompiler PARSER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS).build();

    /** A rule reached a string, list or map without a bound. */
    public static final class Unbounded extends RuntimeException {
        Unbounded(String what) {
            super(what);
        }
    }

    /** One rule's estimate: per call, and times the number of times it can run (the node's cardinality). */
    public record RuleCost(String path, String rule, long perCall, long cardinality) {
        public long total() {
            return Math.multiplyExact(perCall, cardinality);
        }
    }

    /** What an expression evaluates to, as far as sizes go. */
    private record Shape(Map<String, Object> schema, String path, long literalLength, List<Shape> literalItems) {
        static Shape of(Map<String, Object> schema, String path) {
            return new Shape(schema, path, -1, null);
        }

        static Shape literal(long length) {
            return new Shape(null, "literal", length, null);
        }

        static Shape list(List<Shape> items) {
            return new Shape(null, "list literal", -1, items);
        }

        static final Shape SCALAR = literal(1);
    }

    private record Result(long cost, Shape shape) {
    }

    private CelCost() {
    }

    /** Every rule of the schema, with its cost. Throws {@link Unbounded} when a rule reaches an unbounded value. */
    public static List<RuleCost> estimate(Map<String, Object> openApiV3Schema) {
        var out = new ArrayList<RuleCost>();
        walk(openApiV3Schema, "", 1, true, out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void walk(Map<String, Object> node, String path, long cardinality, boolean root, List<RuleCost> out) {
        var rules = (List<Map<String, Object>>) node.get("x-kubernetes-validations");
        if (rules != null) {
            for (var r : rules) {
                String rule = (String) r.get("rule");
                Shape self = Shape.of(root ? withMetadata(node) : node, path.isEmpty() ? "self" : path);
                long perCall = cost(rule, self);
                if (cardinality < 0) {
                    throw new Unbounded(path + ": the rule sits under a list or map without maxItems/maxProperties");
                }
                out.add(new RuleCost(path.isEmpty() ? "<root>" : path, rule, perCall, cardinality));
            }
        }
        var props = (Map<String, Map<String, Object>>) node.get("properties");
        if (props != null) {
            props.forEach((k, v) -> walk(v, path + "." + k, cardinality, false, out));
        }
        var items = (Map<String, Object>) node.get("items");
        if (items != null) {
            walk(items, path + "[]", times(cardinality, node.get("maxItems")), false, out);
        }
        if (node.get("additionalProperties") instanceof Map<?, ?> values) {
            walk((Map<String, Object>) values, path + "{}", times(cardinality, node.get("maxProperties")), false, out);
        }
    }

    /** How many times a node under this collection can occur; -1 when the collection is unbounded. */
    private static long times(long cardinality, Object bound) {
        return cardinality < 0 || bound == null ? -1 : Math.multiplyExact(cardinality, ((Number) bound).longValue());
    }

    /** The root object as CEL sees it: metadata carries name and generateName. */
    private static Map<String, Object> withMetadata(Map<String, Object> root) {
        var copy = new LinkedHashMap<>(root);
        @SuppressWarnings("unchecked")
        var props = new LinkedHashMap<>((Map<String, Object>) root.getOrDefault("properties", Map.of()));
        Map<String, Object> name = Map.of("type", "string", "maxLength", NAME_LENGTH);
        props.put("metadata", Map.of("type", "object", "properties", Map.of("name", name, "generateName", name)));
        copy.put("properties", props);
        return copy;
    }

    static long cost(String rule, Shape self) {
        CelExpr expr;
        try {
            expr = PARSER.parse(rule).getAst().getExpr();
        } catch (CelValidationException e) {
            throw new IllegalArgumentException("rule does not parse: " + rule, e);
        }
        var env = new HashMap<String, Shape>();
        env.put("self", self);
        env.put("oldSelf", self);
        return eval(expr, env).cost();
    }

    private static long bound(Map<String, Object> node, String key, String path) {
        Object v = node.get(key);
        if (v == null) {
            throw new Unbounded(path + " has no " + key);
        }
        return ((Number) v).longValue();
    }

    /** Maximum length of a string, or number of items or properties. */
    @SuppressWarnings("unchecked")
    private static long size(Shape s) {
        if (s.literalItems() != null) {
            return s.literalItems().size();
        }
        if (s.schema() == null) {
            return s.literalLength();
        }
        var node = s.schema();
        String type = (String) node.get("type");
        if ("array".equals(type)) {
            return bound(node, "maxItems", s.path());
        }
        if ("object".equals(type)) {
            if (node.get("additionalProperties") instanceof Map) {
                return bound(node, "maxProperties", s.path());
            }
            return ((Map<String, Object>) node.getOrDefault("properties", Map.of())).size();
        }
        if ("string".equals(type) || Boolean.TRUE.equals(node.get("x-kubernetes-int-or-string"))) {
            if (node.get("enum") instanceof List<?> values) {
                return values.stream().mapToLong(v -> String.valueOf(v).length()).max().orElse(0);
            }
            return bound(node, "maxLength", s.path());
        }
        return 1; // integer, number, boolean
    }

    /** Worst-case serialized size in bytes: what comparing two values of this shape traverses. */
    @SuppressWarnings("unchecked")
    private static long bytes(Shape s) {
        if (s.literalItems() != null) {
            return s.literalItems().stream().mapToLong(CelCost::bytes).sum() + 2;
        }
        if (s.schema() == null) {
            return s.literalLength() + 2;
        }
        var node = s.schema();
        String type = (String) node.get("type");
        if ("array".equals(type)) {
            return size(s) * (bytes(Shape.of((Map<String, Object>) node.get("items"), s.path() + "[]")) + 1) + 2;
        }
        if ("object".equals(type)) {
            if (node.get("additionalProperties") instanceof Map<?, ?> values) {
                return size(s) * (MAP_KEY_LENGTH + 4 + bytes(Shape.of((Map<String, Object>) values, s.path() + "{}"))) + 2;
            }
            long total = 2;
            for (var e : ((Map<String, Map<String, Object>>) node.getOrDefault("properties", Map.of())).entrySet()) {
                total += e.getKey().length() + 4 + bytes(Shape.of(e.getValue(), s.path() + "." + e.getKey()));
            }
            return total;
        }
        if ("string".equals(type) || Boolean.TRUE.equals(node.get("x-kubernetes-int-or-string"))) {
            return size(s) + 2;
        }
        return 24;
    }

    private static long traverse(long length) {
        return (long) Math.ceil(length * 0.1);
    }

    @SuppressWarnings("unchecked")
    private static Result eval(CelExpr e, Map<String, Shape> env) {
        switch (e.getKind()) {
            case CONSTANT -> {
                var c = e.constant();
                return new Result(0, c.getKind() == dev.cel.common.ast.CelConstant.Kind.STRING_VALUE
                        ? Shape.literal(c.stringValue().length()) : Shape.SCALAR);
            }
            case IDENT -> {
                return new Result(1, env.getOrDefault(e.ident().name(), Shape.SCALAR));
            }
            case SELECT -> {
                var sel = e.select();
                Result operand = eval(sel.operand(), env);
                if (sel.testOnly()) {
                    return new Result(operand.cost() + 1, Shape.SCALAR);
                }
                Shape o = operand.shape();
                if (o.schema() == null) {
                    throw new IllegalArgumentException("cannot select " + sel.field() + " from a literal");
                }
                var props = (Map<String, Map<String, Object>>) o.schema().getOrDefault("properties", Map.of());
                var field = props.get(sel.field());
                if (field == null) {
                    throw new IllegalArgumentException(o.path() + " has no field " + sel.field());
                }
                return new Result(operand.cost() + 1, Shape.of(field, o.path() + "." + sel.field()));
            }
            case LIST -> {
                long cost = 10;
                var items = new ArrayList<Shape>();
                for (CelExpr item : e.list().elements()) {
                    Result r = eval(item, env);
                    cost += r.cost();
                    items.add(r.shape());
                }
                return new Result(cost, Shape.list(items));
            }
            case COMPREHENSION -> {
                var c = e.comprehension();
                Result range = eval(c.iterRange(), env);
                Shape element = element(range.shape());
                long n = size(range.shape());
                var inner = new HashMap<>(env);
                inner.put(c.iterVar(), element);
                inner.put(c.accuVar(), Shape.SCALAR);
                long perElement = eval(c.loopCondition(), inner).cost() + eval(c.loopStep(), inner).cost();
                long cost = range.cost() + eval(c.accuInit(), env).cost() + Math.multiplyExact(n, perElement)
                        + eval(c.result(), inner).cost();
                return new Result(cost, Shape.SCALAR);
            }
            case CALL -> {
                return call(e.call(), env);
            }
            default -> throw new IllegalArgumentException("unsupported CEL expression kind " + e.getKind());
        }
    }

    /** The element a comprehension binds: a list's item, a map's key. */
    @SuppressWarnings("unchecked")
    private static Shape element(Shape range) {
        if (range.literalItems() != null) {
            return range.literalItems().stream().max((a, b) -> Long.compare(size(a), size(b))).orElse(Shape.SCALAR);
        }
        var node = range.schema();
        if (node != null && "array".equals(node.get("type"))) {
            return Shape.of((Map<String, Object>) node.get("items"), range.path() + "[]");
        }
        return Shape.literal(MAP_KEY_LENGTH); // map keys
    }

    @SuppressWarnings("unchecked")
    private static Result call(CelExpr.CelCall call, Map<String, Shape> env) {
        var args = new ArrayList<Result>();
        call.target().ifPresent(t -> args.add(eval(t, env)));
        for (CelExpr a : call.args()) {
            args.add(eval(a, env));
        }
        long cost = args.stream().mapToLong(Result::cost).sum();
        String f = call.function();
        switch (f) {
            case "_&&_", "_||_", "!_", "_<_", "_<=_", "_>_", "_>=_", "_+_", "_-_", "_?_:_", "@not_strictly_false",
                    "size", "has" -> {
                return new Result(cost + 1, Shape.SCALAR);
            }
            case "_==_", "_!=_" -> {
                long longer = Math.max(bytes(args.get(0).shape()), bytes(args.get(1).shape()));
                return new Result(cost + 1 + traverse(longer), Shape.SCALAR);
            }
            case "_[_]" -> {
                Shape container = args.get(0).shape();
                Shape value = container.schema() != null && container.schema().get("additionalProperties") instanceof Map<?, ?> v
                        ? Shape.of((Map<String, Object>) v, container.path() + "{}")
                        : element(container);
                return new Result(cost + 1, value);
            }
            case "@in" -> {
                Shape list = args.get(1).shape();
                long n = size(list);
                long each = 1 + traverse(Math.max(bytes(args.get(0).shape()), bytes(element(list))));
                return new Result(cost + Math.multiplyExact(n, each), Shape.SCALAR);
            }
            case "matches" -> {
                long str = 1 + traverse(size(args.get(0).shape()));
                long regex = 1 + (long) Math.ceil(size(args.get(1).shape()) * 0.25);
                return new Result(cost + Math.multiplyExact(str, regex), Shape.SCALAR);
            }
            case "_*_" -> {
                return new Result(cost + 1, Shape.SCALAR);
            }
            case "int" -> {
                // a string parsed to an integer: priced by its length, like any traversal of it
                return new Result(cost + 1 + traverse(size(args.get(0).shape())), Shape.SCALAR);
            }
            case "substring" -> {
                // the strings extension (kube-apiserver has it): a copy of at most the whole string
                return new Result(cost + 1 + traverse(size(args.get(0).shape())), args.get(0).shape());
            }
            case "contains", "startsWith", "endsWith" -> {
                long str = size(args.get(0).shape());
                long sub = Math.max(1, size(args.get(1).shape()));
                return new Result(cost + 1 + traverse(Math.multiplyExact(str, sub)), Shape.SCALAR);
            }
            default -> throw new IllegalArgumentException("no cost model for CEL function " + f
                    + ": add it to CelCost before using it in a rule");
        }
    }
}
