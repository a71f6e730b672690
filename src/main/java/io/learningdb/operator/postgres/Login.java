package io.learningdb.operator.postgres;

/** A database role and its password. toString never shows the password. */
public record Login(String user, String password) {

    @Override
    public String toString() {
        return "Login[" + user + "]";
    }
}
