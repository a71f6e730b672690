package io.learningdb.operator.dependent;

/**
 * A Secret of the name the operator needs exists and is not one it may take over: it stays as it is until a user
 * moves it. Not worth retrying soon.
 */
public final class SecretConflict extends IllegalStateException {

    SecretConflict(String message) {
        super(message);
    }

    SecretConflict(String message, Throwable cause) {
        super(message, cause);
    }
}
