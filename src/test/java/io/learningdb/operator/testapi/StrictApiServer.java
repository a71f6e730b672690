package io.learningdb.operator.testapi;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;

/**
 * The fabric8 CRUD mock API server, made as strict as kube-apiserver where the operator's correctness depends on it.
 * The mock alone never answers 409 to a status update (it compares the stored object's resourceVersion with itself),
 * accepts updates kube-apiserver forbids and names and labels it refuses; a guarantee tested on it was proven in a
 * more forgiving world than production. This layer sits in front of the mock's own dispatcher and refuses, with the
 * status code and reason kube-apiserver uses:
 * <ul>
 * <li>an update, patch or status update whose resourceVersion is not the stored one (409 Conflict);</li>
 * <li>changes to immutable fields: a StatefulSet's spec outside replicas, template, updateStrategy,
 * persistentVolumeClaimRetentionPolicy, minReadySeconds and ordinals; a Job's template and selector; a Service's
 * clusterIP once set; a PersistentVolumeClaim's spec outside its storage request, which may only grow; the data of an
 * immutable ConfigMap or Secret (422 Invalid);</li>
 * <li>names that are not what the kind requires (a Service: DNS-1035 label; a Namespace: DNS-1123 label; a CronJob:
 * at most 52 characters; a Job: at most 63; everything else: DNS-1123 subdomain) and label keys and values that
 * are not qualified names / label values (422 Invalid).</li>
 * </ul>
 * Writes are serialized, so a check and the write it guards see the same stored object. Installed by
 * {@link #install}, from the setup every operator test uses (OperatorRequests.TestApiServer).
 */
public final class StrictApiServer extends Dispatcher {

    static final Pattern DNS1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    static final Pattern DNS1123_SUBDOMAIN = Pattern
            .compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    static final Pattern DNS1035_LABEL = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    static final Pattern QUALIFIED_NAME_PART = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
    static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

    /** StatefulSet spec fields kube-apiserver lets an update change (apps/v1 validation, Kubernetes 1.32). */
    static final Set<String> STATEFULSET_MUTABLE = Set.of("replicas", "template", "updateStrategy",
            "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "ordinals");

    private final Dispatcher delegate;
    private final KubernetesCrudDispatcher store;

    private StrictApiServer(Dispatcher delegate, KubernetesCrudDispatcher store) {
        this.delegate = delegate;
        this.store = store;
    }

    private static final Set<String> EARLIER_VERSION_WRITES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Lets the next update of the object at {@code path} (e.g. /apis/apps/v1/namespaces/ns/statefulsets/name) change
     * immutable fields, once: how a test puts an object in the state an earlier operator version created it in. Only
     * the object's own path is exempted, and only for one write; every other check still applies.
     */
    public static void allowOneWriteAsAnEarlierVersion(String path) {
        EARLIER_VERSION_WRITES.add(path);
    }

    /** Puts the strict layer in front of the mock server's dispatcher (idempotent). */
    public static void install(KubernetesMockServer server) {
        try {
            MockWebServer web = (MockWebServer) field(DefaultMockServer.class, "server").get(server);
            Field dispatcherField = field(MockWebServer.class, "dispatcher");
            Dispatcher current = (Dispatcher) dispatcherField.get(web);
            if (current instanceof StrictApiServer) {
                return;
            }
            var store = (KubernetesCrudDispatcher) field(current.getClass(), "kubernetesCrudDispatcher").get(current);
            web.setDispatcher(new StrictApiServer(current, store));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot install the strict API server layer on this mock server version", e);
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String method = request.getMethod();
        if (!Set.of("POST", "PUT", "PATCH").contains(method)) {
            return delegate.dispatch(request);
        }
        synchronized (this) {
            Optional<MockResponse> refused;
            try {
                refused = check(method, Target.parse(request.getPath()), request);
            } catch (RuntimeException e) {
                refused = Optional.empty(); // a body this layer cannot read: the mock answers as it would
            }
            return refused.orElseGet(() -> delegate.dispatch(request));
        }
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    /** What a request path names: /api/v1/namespaces/ns/services/name/status and the like. */
    record Target(String plural, String name, String subresource, String basePath) {
        static Target parse(String rawPath) {
            String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
            String[] seg = path.replaceAll("^/", "").split("/");
            int i = "api".equals(seg[0]) ? 2 : 3; // /api/v1/... or /apis/group/version/...
            if (i + 1 < seg.length && "namespaces".equals(seg[i]) && i + 2 < seg.length) {
                i += 2; // namespaced resource
            }
            String plural = seg.length > i ? seg[i] : "";
            String name = seg.length > i + 1 ? seg[i + 1] : null;
            String sub = seg.length > i + 2 ? seg[i + 2] : null;
            String base = sub == null ? path : path.substring(0, path.length() - sub.length() - 1);
            return new Target(plural, name, sub, base);
        }
    }

    private Optional<MockResponse> check(String method, Target target, RecordedRequest request) {
        String body = new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
        if ("POST".equals(method)) {
            JsonNode created = json(body(body));
            return invalid(target.plural(), validateNew(target.plural(), created));
        }
        JsonNode current = stored(target.basePath());
        if (current == null) {
            return Optional.empty(); // 404 from the mock
        }
        JsonNode next = "PUT".equals(method) ? json(body(body))
                : patched(current, body, request.getHeader("Content-Type"));
        if (next == null) {
            return Optional.empty();
        }
        String sentVersion = next.path("metadata").path("resourceVersion").asText("");
        String storedVersion = current.path("metadata").path("resourceVersion").asText("");
        if (!sentVersion.isEmpty() && !sentVersion.equals(storedVersion)) {
            return Optional.of(status(409, "Conflict", "Operation cannot be fulfilled on " + target.plural() + " \""
                    + target.name() + "\": the object has been modified; please apply your changes to the latest "
                    + "version and try again"));
        }
        if (target.subresource() != null) {
            return Optional.empty(); // status and scale carry no immutable fields checked here
        }
        var problems = new ArrayList<String>();
        problems.addAll(labels(next));
        if (!EARLIER_VERSION_WRITES.remove(target.basePath())) {
            problems.addAll(immutable(target.plural(), current, next));
        }
        return invalid(target.plural(), problems);
    }

    private static JsonNode json(String text) {
        try {
            return Serialization.jsonMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String body(String body) {
        return body == null || body.isBlank() ? "{}" : body;
    }

    private JsonNode stored(String basePath) {
        MockResponse response = store.handleGet(basePath);
        if (response.code() != 200) {
            return null;
        }
        return json(new String(response.getBody().getBytes(), StandardCharsets.UTF_8));
    }

    /** The object a PATCH would produce, computed as the mock computes it (JSON patch or merge patch). */
    private static JsonNode patched(JsonNode current, String body, String contentType) {
        JsonNode patch = json(body(body));
        if (contentType == null || contentType.contains("json-patch")) {
            return JsonPatch.apply(patch, current.deepCopy());
        }
        if (contentType.contains("merge-patch")) {
            try {
                return Serialization.jsonMapper().readerForUpdating(current.deepCopy()).readValue(body(body));
            } catch (java.io.IOException e) {
                return null;
            }
        }
        return null; // strategic merge / apply: the mock refuses those itself
    }

    static List<String> validateNew(String plural, JsonNode object) {
        var problems = new ArrayList<String>();
        String name = object.path("metadata").path("name").asText("");
        if (!name.isEmpty()) {
            problems.addAll(names(plural, name));
        }
        problems.addAll(labels(object));
        return problems;
    }

    /** Name rules per kind, as kube-apiserver's validation applies them. */
    static List<String> names(String plural, String name) {
        var problems = new ArrayList<String>();
        switch (plural) {
            case "services" -> {
                if (name.length() > 63 || !DNS1035_LABEL.matcher(name).matches()) {
                    problems.add("metadata.name: Invalid value: \"" + name + "\": a DNS-1035 label must consist of "
                            + "lower case alphanumeric characters or '-', start with an alphabetic character, and end "
                            + "with an alphanumeric character (at most 63 characters)");
                }
            }
            case "namespaces" -> {
                if (name.length() > 63 || !DNS1123_LABEL.matcher(name).matches()) {
                    problems.add("metadata.name: Invalid value: \"" + name + "\": a lowercase RFC 1123 label must "
                            + "consist of lower case alphanumeric characters or '-' (at most 63 characters)");
                }
            }
            default -> {
                if (name.length() > 253 || !DNS1123_SUBDOMAIN.matcher(name).matches()) {
                    problems.add("metadata.name: Invalid value: \"" + name + "\": a lowercase RFC 1123 subdomain must "
                            + "consist of lower case alphanumeric characters, '-' or '.' (at most 253 characters)");
                }
                if ("cronjobs".equals(plural) && name.length() > 52) {
                    problems.add("metadata.name: Invalid value: \"" + name + "\": must be no more than 52 characters");
                }
                if ("jobs".equals(plural) && name.length() > 63) {
                    problems.add("metadata.name: Invalid value: \"" + name + "\": must be no more than 63 characters "
                            + "(it becomes the job-name label)");
                }
            }
        }
        return problems;
    }

    /** Label keys and values wherever an object carries labels or label selectors the API server validates. */
    static List<String> labels(JsonNode object) {
        var problems = new ArrayList<String>();
        labelMap(problems, "metadata.labels", object.path("metadata").path("labels"));
        annotationKeys(problems, "metadata.annotations", object.path("metadata").path("annotations"));
        JsonNode spec = object.path("spec");
        labelMap(problems, "spec.selector.matchLabels", spec.path("selector").path("matchLabels"));
        labelMap(problems, "spec.template.metadata.labels", spec.path("template").path("metadata").path("labels"));
        labelMap(problems, "spec.jobTemplate.spec.template.metadata.labels",
                spec.path("jobTemplate").path("spec").path("template").path("metadata").path("labels"));
        if ("Service".equals(object.path("kind").asText())) {
            labelMap(problems, "spec.selector", spec.path("selector"));
        }
        return problems;
    }

    private static void labelMap(List<String> problems, String where, JsonNode map) {
        if (!map.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext();) {
            var e = it.next();
            qualifiedName(e.getKey()).ifPresent(p -> problems.add(where + ": Invalid value: \"" + e.getKey() + "\": " + p));
            String value = e.getValue().asText("");
            if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
                problems.add(where + "[" + e.getKey() + "]: Invalid value: \"" + value + "\": a valid label value must be "
                        + "63 characters or less, empty or begin and end with an alphanumeric character");
            }
        }
    }

    private static void annotationKeys(List<String> problems, String where, JsonNode map) {
        if (!map.isObject()) {
            return;
        }
        for (Iterator<String> it = map.fieldNames(); it.hasNext();) {
            String key = it.next();
            qualifiedName(key.toLowerCase()).ifPresent(p -> problems.add(where + ": Invalid value: \"" + key + "\": " + p));
        }
    }

    static Optional<String> qualifiedName(String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
                return Optional.of("prefix part must be a DNS-1123 subdomain");
            }
        }
        if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME_PART.matcher(name).matches()) {
            return Optional.of("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                    + "end with an alphanumeric character (at most 63 characters)");
        }
        return Optional.empty();
    }

    /** Fields an update may not change, per kind. */
    static List<String> immutable(String plural, JsonNode current, JsonNode next) {
        var problems = new ArrayList<String>();
        JsonNode before = current.path("spec");
        JsonNode after = next.path("spec");
        switch (plural) {
            case "statefulsets" -> {
                ObjectNode b = before.isObject() ? ((ObjectNode) before.deepCopy()) : null;
                ObjectNode a = after.isObject() ? ((ObjectNode) after.deepCopy()) : null;
                if (b != null && a != null) {
                    b.remove(STATEFULSET_MUTABLE);
                    a.remove(STATEFULSET_MUTABLE);
                    if (!b.equals(a)) {
                        var changed = new ArrayList<String>();
                        b.fieldNames().forEachRemaining(f -> {
                            if (!b.get(f).equals(a.get(f))) {
                                changed.add(f);
                            }
                        });
                        a.fieldNames().forEachRemaining(f -> {
                            if (!b.has(f)) {
                                changed.add(f);
                            }
                        });
                        problems.add("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
                                + "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                                + "'minReadySeconds' are forbidden (changed: " + changed + ")");
                    }
                }
            }
            case "jobs" -> {
                if (!before.path("template").equals(after.path("template"))) {
                    problems.add("spec.template: Invalid value: field is immutable");
                }
                if (!before.path("selector").equals(after.path("selector"))) {
                    problems.add("spec.selector: Invalid value: field is immutable");
                }
            }
            case "services" -> {
                String oldIp = before.path("clusterIP").asText("");
                String newIp = after.path("clusterIP").asText("");
                if (!oldIp.isEmpty() && !newIp.isEmpty() && !oldIp.equals(newIp)) {
                    problems.add("spec.clusterIP: Invalid value: \"" + newIp + "\": field is immutable");
                }
            }
            case "persistentvolumeclaims" -> {
                ObjectNode b = (ObjectNode) before.deepCopy();
                ObjectNode a = (ObjectNode) after.deepCopy();
                String oldSize = b.path("resources").path("requests").path("storage").asText("");
                String newSize = a.path("resources").path("requests").path("storage").asText("");
                b.remove(List.of("resources", "volumeAttributesClassName"));
                a.remove(List.of("resources", "volumeAttributesClassName"));
                if (!b.equals(a)) {
                    problems.add("spec: Forbidden: spec is immutable after creation except resources.requests and "
                            + "volumeAttributesClassName for bound claims");
                }
                if (!oldSize.isEmpty() && !newSize.isEmpty() && bytes(newSize).compareTo(bytes(oldSize)) < 0) {
                    problems.add("spec.resources.requests.storage: Forbidden: field can not be less than previous value");
                }
            }
            case "configmaps", "secrets" -> {
                if (current.path("immutable").asBoolean(false) && (!current.path("data").equals(next.path("data"))
                        || !current.path("binaryData").equals(next.path("binaryData"))
                        || !next.path("immutable").asBoolean(false))) {
                    problems.add("data: Forbidden: field is immutable when `immutable` is set");
                }
            }
            default -> {
            }
        }
        return problems;
    }

    private static java.math.BigDecimal bytes(String quantity) {
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(quantity));
    }

    private static Optional<MockResponse> invalid(String plural, List<String> problems) {
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(status(422, "Invalid", plural + " is invalid: " + String.join("; ", problems)));
    }

    static MockResponse status(int code, String reason, String message) {
        var status = Serialization.jsonMapper().createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return new MockResponse().setResponseCode(code).setBody(status.toString());
    }
}
