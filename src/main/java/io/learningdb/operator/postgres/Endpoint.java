package io.learningdb.operator.postgres;

/** Where one PostgreSQL instance listens. */
public record Endpoint(String host, int port) {

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }
}
