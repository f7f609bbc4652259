package io.gatehouse.policy.spi;

/**
 * What the pipeline does after a policy ran normally. Failures are signalled by throwing {@link PolicyException}.
 */
public enum Flow {
    /** Run the next policy. */
    CONTINUE,
    /**
     * Stop the pipeline and send the current {@link PolicyContext#response() response} to the caller: no further
     * policy of any section runs, and no backend call is made if none was made yet (as APIM's {@code return-response}).
     */
    RETURN
}
