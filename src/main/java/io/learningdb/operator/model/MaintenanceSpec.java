package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceSpec {

    @JsonPropertyDescription("Scheduled VACUUM (ANALYZE) of tables with many dead tuples.")
    private VacuumSpec vacuum;

    @JsonPropertyDescription("A scheduled performance report (the statements with the most total time, indexes never "
            + "scanned, the biggest tables and partitions, the most dead tuples): in the job's log, the last 12 in table "
            + "learningdb.reports and the newest in ConfigMap <name>-report.")
    private ReportSpec report;

    public ReportSpec getReport() {
        return report;
    }

    public void setReport(ReportSpec report) {
        this.report = report;
    }

    public VacuumSpec getVacuum() {
        return vacuum;
    }

    public void setVacuum(VacuumSpec vacuum) {
        this.vacuum = vacuum;
    }
}
