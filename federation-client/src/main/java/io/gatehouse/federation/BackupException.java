package io.gatehouse.federation;

import java.io.Serial;

/** A backup that cannot be used: not a backup, damaged, tampered with, or written with another key. */
public final class BackupException extends Exception {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what is wrong, naming the file
     */
    public BackupException(String message) {
        super(message);
    }

    /**
     * Creates an exception with its cause.
     *
     * @param message what is wrong, naming the file
     * @param cause   the cause
     */
    public BackupException(String message, Throwable cause) {
        super(message, cause);
    }
}
