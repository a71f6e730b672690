package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum PoolMode {
    @JsonProperty("session")
    SESSION,
    @JsonProperty("transaction")
    TRANSACTION,
    @JsonProperty("statement")
    STATEMENT;

    public String iniValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
