package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Endpoints {

    @JsonPropertyDescription("Read/write: the primary, direct (<name>-rw).")
    private String readWrite;
    @JsonPropertyDescription("Read-only: the replicas, load-balanced (<name>-ro).")
    private String readOnly;
    @JsonPropertyDescription("Pooled read/write through PgBouncer (<name>-pooler); what applications should use.")
    private String pooler;

    public Endpoints() {
    }

    public Endpoints(String readWrite, String readOnly, String pooler) {
        this.readWrite = readWrite;
        this.readOnly = readOnly;
        this.pooler = pooler;
    }

    public String getReadWrite() {
        return readWrite;
    }

    public void setReadWrite(String readWrite) {
        this.readWrite = readWrite;
    }

    public String getReadOnly() {
        return readOnly;
    }

    public void setReadOnly(String readOnly) {
        this.readOnly = readOnly;
    }

    public String getPooler() {
        return pooler;
    }

    public void setPooler(String pooler) {
        this.pooler = pooler;
    }
}
