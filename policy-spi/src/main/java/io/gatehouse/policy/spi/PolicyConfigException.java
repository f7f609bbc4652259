package io.gatehouse.policy.spi;

/**
 * A policy element is invalid. Thrown while a snapshot compiles; the snapshot is refused as a whole and the
 * gateway reports the message with the file, line and element name, which it adds itself.
 *
 * <p>Write the message for the person editing the XML: name the attribute and what is wrong with its value, for
 * example {@code attribute 'calls' must be a positive integer, was 'ten'}. Never include a secret value.
 */
public class PolicyConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what is wrong, for the person editing the XML
     */
    public PolicyConfigException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what is wrong
     * @param cause   the underlying failure
     */
    public PolicyConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
