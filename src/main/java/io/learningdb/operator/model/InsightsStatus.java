package io.learningdb.operator.model;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;

/**
 * A small, rounded summary of the application database read from the primary's learningdb views at most every few
 * minutes; written only when it changes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InsightsStatus {

    @JsonPropertyDescription("Indexes never scanned since the statistics were reset that back no constraint.")
    private Integer unusedIndexes;

    @JsonPropertyDescription("The largest of them (up to five): index (table, size).")
    @Size(max = 5)
    private List<String> unusedIndexNames;

    @JsonPropertyDescription("The table or partition with the highest share of dead tuples (at least 1,000 dead), "
            + "rounded to 5%: vacuum or bloat to look at.")
    private String mostDeadTuples;

    @JsonPropertyDescription("The application's statement with the highest mean time (at least 5 calls; superusers' "
            + "and monitoring roles' statements left out): queryid, mean in two significant digits, calls by decade; "
            + "kept until its mean moves by a quarter or its calls by a decade. The text is in learningdb.slow_queries.")
    private String slowestQuery;

    public Integer getUnusedIndexes() {
        return unusedIndexes;
    }

    public void setUnusedIndexes(Integer unusedIndexes) {
        this.unusedIndexes = unusedIndexes;
    }

    public List<String> getUnusedIndexNames() {
        return unusedIndexNames;
    }

    public void setUnusedIndexNames(List<String> unusedIndexNames) {
        this.unusedIndexNames = unusedIndexNames;
    }

    public String getMostDeadTuples() {
        return mostDeadTuples;
    }

    public void setMostDeadTuples(String mostDeadTuples) {
        this.mostDeadTuples = mostDeadTuples;
    }

    public String getSlowestQuery() {
        return slowestQuery;
    }

    public void setSlowestQuery(String slowestQuery) {
        this.slowestQuery = slowestQuery;
    }
}
