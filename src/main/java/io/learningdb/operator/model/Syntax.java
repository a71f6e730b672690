package io.learningdb.operator.model;

/** Name syntax kube-apiserver enforces, as compile-time constants for the CRD's patterns and CEL rules. */
public final class Syntax {

    /** A DNS-1123 subdomain (ConfigMap, Secret and StorageClass names): at most 253 characters. */
    public static final String DNS1123_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** A DNS-1035 label (Service names): starts with a letter, at most 63 characters. */
    public static final String DNS1035_LABEL = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

    private Syntax() {
    }
}
