package io.gatehouse.gateway;

/** A setting is unknown, malformed or out of range; the message names the key and where it came from. */
public final class SettingsException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the key
     */
    public SettingsException(String message) {
        super(message);
    }
}
