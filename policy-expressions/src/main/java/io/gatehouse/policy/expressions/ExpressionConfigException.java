package io.gatehouse.policy.expressions;

import io.gatehouse.policy.spi.Location;
import io.gatehouse.policy.spi.PolicyConfigException;

/**
 * An expression does not compile. The message gives the position within the expression; the element's location in
 * its file is kept here, and the policy engine adds it to the message it reports.
 */
final class ExpressionConfigException extends PolicyConfigException {
    private static final long serialVersionUID = 1L;

    private final transient Location location;

    ExpressionConfigException(String message, Location location) {
        super(message);
        this.location = location;
    }

    Location location() {
        return location;
    }
}
