package io.gatehouse.policy.engine;

import java.util.Map;
import java.util.Optional;

/** Every pipeline of one snapshot, by API, operation and product context. Immutable. */
public final class CompiledPolicies {

    private final Map<Key, Pipeline> pipelines;
    private final BackendDirectory backends;

    CompiledPolicies(Map<Key, Pipeline> pipelines, BackendDirectory backends) {
        this.pipelines = Map.copyOf(pipelines);
        this.backends = backends;
    }

    /**
     * The snapshot's backend entities, for {@link Exchange.Builder#backends}.
     *
     * @return the backends
     */
    public BackendDirectory backends() {
        return backends;
    }

    /**
     * The pipeline for a request.
     *
     * @param apiId       the API
     * @param operationId the operation
     * @param productId   the product context, if the request runs in one
     * @return the pipeline
     * @throws IllegalArgumentException if the snapshot has no such API, operation or product association
     */
    public Pipeline pipeline(String apiId, String operationId, Optional<String> productId) {
        Pipeline p = pipelines.get(key(apiId, operationId, productId.orElse("")));
        if (p == null) {
            throw new IllegalArgumentException("no pipeline for API '" + apiId + "', operation '" + operationId + "'"
                    + productId.map(id -> ", product '" + id + "'").orElse(""));
        }
        return p;
    }

    static Key key(String apiId, String operationId, String productId) {
        return new Key(apiId, operationId, productId);
    }

    /** A pipeline's key; its hash combines the ids' cached hashes, so a lookup builds and hashes no new string. */
    record Key(String apiId, String operationId, String productId) {
    }
}
