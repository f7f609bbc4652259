package io.gatehouse.policy.expressions;

import io.gatehouse.policy.spi.PolicyContext;

/** The state of one evaluation: the exchange and the slots of locals and conditional-access receivers. */
final class Frame {

    final PolicyContext context;
    final Object[] slots;

    Frame(PolicyContext context, int slotCount) {
        this.context = context;
        this.slots = new Object[slotCount];
    }
}
