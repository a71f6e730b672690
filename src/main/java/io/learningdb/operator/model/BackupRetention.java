package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How long backups are kept. pgBackRest expires full backups (and the differential/incremental backups and WAL
 * that depend on them) after each backup; WAL a kept backup needs is never removed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.fullBackups) && has(self.age))",
        message = "retention is by fullBackups or by age, not both")
public class BackupRetention {

    @JsonPropertyDescription("Keep this many full backups (7 when neither this nor age is set).")
    @Min(1)
    @Max(1000)
    private Integer fullBackups;

    @JsonPropertyDescription("Keep every full backup needed to recover to any point in this many days, e.g. 30d.")
    @Size(max = 5)
    @Pattern("^[1-9][0-9]{0,3}d$")
    private String age;

    public Integer getFullBackups() {
        return fullBackups;
    }

    public void setFullBackups(Integer fullBackups) {
        this.fullBackups = fullBackups;
    }

    public String getAge() {
        return age;
    }

    public void setAge(String age) {
        this.age = age;
    }
}
