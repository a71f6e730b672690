package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsSpec {

    @JsonPropertyDescription("Serve TLS on PostgreSQL and PgBouncer; replication and pooler-to-PostgreSQL connections "
            + "then verify the server certificate (sslmode=verify-full).")
    @Default("true")
    private boolean enabled = true;

    @JsonPropertyDescription("Refuse clients that do not use TLS (pg_hba hostssl, PgBouncer client_tls_sslmode=require).")
    @Default("false")
    private boolean required = false;

    @JsonPropertyDescription("A Secret in this namespace with tls.crt, tls.key and ca.crt to serve instead of the "
            + "operator-issued certificate. Its names must cover <name>-rw, <name>-ro, <name>-pooler and "
            + "*.<name>-instances in this namespace, and it may not be <name>-tls (the Secret the operator issues). "
            + "A changed content is reloaded by the pods.")
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @io.fabric8.generator.annotation.Size(max = 253)
    private String serverSecretName;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean isRequired() {
        return required;
    }

    public void setRequired(boolean required) {
        this.required = required;
    }

    public String getServerSecretName() {
        return serverSecretName;
    }

    public void setServerSecretName(String serverSecretName) {
        this.serverSecretName = serverSecretName;
    }
}
