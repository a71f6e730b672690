package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceSpec {

    @JsonPropertyDescription("Scheduled VACUUM (ANALYZE) of tables with many dead tuples.")
    private VacuumSpec vacuum;

    public VacuumSpec getVacuum() {
        return vacuum;
    }

    public void setVacuum(VacuumSpec vacuum) {
        this.vacuum = vacuum;
    }
}
