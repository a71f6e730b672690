package io.learningdb.operator.postgres;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Why a connection or query failed, in words that stay the same while the failure does: status messages and
 * events are built from it, and the driver words one cause several ways ("Connection to ... refused", "The
 * connection attempt failed", "Something unusual has occurred") — a status that followed that wording would be
 * rewritten on every poll of a database that is simply down.
 */
public final class ConnectionFailure {

    private ConnectionFailure() {
    }

    public static String describe(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "host name not resolvable";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof SocketTimeoutException) {
                return "timed out";
            }
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (state.equals("28P01")) {
            int user = message.indexOf("for user \"");
            return "password authentication failed" + (user < 0 ? ""
                    : " for user " + message.substring(user + 10, Math.max(user + 10, message.indexOf('"', user + 10))));
        }
        if (state.equals("28000") || state.equals("57P03")) {
            // the server's words, stable: no pg_hba.conf entry for ..., the database system is starting up
            return firstLine(message).replaceFirst("^FATAL: ", "");
        }
        if (state.equals("57P01") || state.equals("57P02")) {
            return "connection lost"; // terminated by the server shutting down
        }
        if (state.equals("53300")) {
            return "too many connections";
        }
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("timeout") || lower.contains("timed out")) {
            return "timed out";
        }
        if (state.equals("08006") || lower.contains("i/o error")) {
            return "connection lost"; // a pooled connection whose server went away
        }
        if (state.startsWith("08")) {
            return "connection failed";
        }
        return firstLine(message);
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
