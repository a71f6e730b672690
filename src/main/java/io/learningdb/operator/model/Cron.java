package io.learningdb.operator.model;

/** Validation shared by every schedule in the CRD (compile-time constants, used in annotations). */
public final class Cron {

    /** Five cron fields (numbers, names, * / , - ?) or one of the standard macros. */
    public static final String PATTERN = "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)"
            + "|([0-9A-Za-z*/,?-]+[ \\t]+){4}[0-9A-Za-z*/,?-]+)$";
    /** An IANA time zone name such as Europe/Berlin or UTC. */
    public static final String TIME_ZONE_PATTERN = "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$";

    private Cron() {
    }
}
