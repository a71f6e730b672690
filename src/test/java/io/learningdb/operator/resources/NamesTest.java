package io.learningdb.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void ordinalsAndOtherInstances() {
        var ldb = Fixtures.ldb("lms", "replicas: 2\n");
        assertThat(Names.ordinal("lms-2")).isEqualTo(2);
        assertThat(Names.ordinal("lms")).isEqualTo(Integer.MAX_VALUE);
        assertThat(Names.instanceOrdinal(ldb, "lms-1")).hasValue(1);
        assertThat(Names.instanceOrdinal(ldb, "lms-pooler-0")).isEmpty();
        assertThat(Names.instanceOrdinal(ldb, "other-1")).isEmpty();
        assertThat(Names.instanceOrdinal(ldb, null)).isEmpty();
        assertThat(Names.otherInstances(ldb, "lms-1")).containsExactly("lms-0", "lms-2");
        assertThat(Names.otherInstances(ldb, "lms-5")).containsExactly("lms-0", "lms-1", "lms-2");
    }
}
