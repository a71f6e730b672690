package io.learningdb.operator.model;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {

    @JsonPropertyDescription("Create NetworkPolicies <name>-instances and <name>-pooler: PostgreSQL accepts traffic only "
            + "from this cluster's instances, pooler and maintenance jobs and from the operator; the pooler from "
            + "poolerFrom. Needs a CNI that enforces NetworkPolicy.")
    @Default("true")
    private boolean enabled = true;

    @JsonPropertyDescription("Who may connect to the pooler (NetworkPolicy peers). Empty (default): every pod of this "
            + "namespace. Add namespaceSelector/podSelector peers to admit applications from other namespaces.")
    private List<NetworkPolicyPeer> poolerFrom = new ArrayList<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public List<NetworkPolicyPeer> getPoolerFrom() {
        return poolerFrom;
    }

    public void setPoolerFrom(List<NetworkPolicyPeer> poolerFrom) {
        this.poolerFrom = poolerFrom;
    }
}
