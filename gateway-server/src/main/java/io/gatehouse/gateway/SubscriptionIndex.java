package io.gatehouse.gateway;

import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import io.gatehouse.config.Api;
import io.gatehouse.config.KeyHash;
import io.gatehouse.config.Product;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.Subscription;

/**
 * Decides, as APIM, whether a request may call an API and in which product context it runs.
 *
 * <p>Keys are held only as SHA-256 hashes. A presented key is hashed, looked up by hash, and the stored digest is
 * compared with {@link MessageDigest#isEqual}, so the time taken does not depend on how much of a key was right.
 */
final class SubscriptionIndex {

    private final Map<Digest, Subscription> byKeyHash;
    private final Map<String, Product> products;
    private final Map<String, Product> openProductByApi;

    private SubscriptionIndex(Map<Digest, Subscription> byKeyHash, Map<String, Product> products,
                              Map<String, Product> openProductByApi) {
        this.byKeyHash = byKeyHash;
        this.products = products;
        this.openProductByApi = openProductByApi;
    }

    static SubscriptionIndex of(Snapshot snapshot) {
        Map<Digest, Subscription> byKeyHash = new HashMap<>();
        HexFormat hex = HexFormat.of();
        for (Subscription s : snapshot.subscriptions()) {
            s.primaryKeyHash().ifPresent(h -> byKeyHash.put(new Digest(hex.parseHex(h)), s));
            s.secondaryKeyHash().ifPresent(h -> byKeyHash.put(new Digest(hex.parseHex(h)), s));
        }
        Map<String, Product> products = new HashMap<>();
        Map<String, Product> open = new HashMap<>();
        for (Product p : snapshot.products()) {
            products.put(p.id(), p);
            if (p.published() && !p.subscriptionRequired()) {
                // As APIM, an API is in at most one open product; if a folder has several, the first by id wins.
                p.apiIds().forEach(apiId -> open.putIfAbsent(apiId, p));
            }
        }
        return new SubscriptionIndex(Map.copyOf(byKeyHash), Map.copyOf(products), Map.copyOf(open));
    }

    /**
     * Authorizes a request.
     *
     * @param api the matched API
     * @param key the key the caller presented, if any
     * @return the decision
     */
    Access authorize(Api api, Optional<String> key) {
        if (key.isEmpty()) {
            Product open = openProductByApi.get(api.id());
            if (open != null) {
                return new Access.Granted(Optional.of(open), Optional.empty());
            }
            if (!api.subscriptionRequired()) {
                return new Access.Granted(Optional.empty(), Optional.empty());
            }
            return Access.Denied.MISSING_KEY;
        }
        Optional<Subscription> subscription = find(key.get());
        if (subscription.isEmpty() || !subscription.get().active()) {
            return Access.Denied.INVALID_KEY;
        }
        Subscription s = subscription.get();
        String scope = s.scope();
        if (scope.equals("/apis") || scope.equals("/apis/" + api.id())) {
            return new Access.Granted(Optional.empty(), subscription);
        }
        if (scope.startsWith("/products/")) {
            Product product = products.get(scope.substring("/products/".length()));
            if (product != null && product.published() && product.apiIds().contains(api.id())) {
                return new Access.Granted(Optional.of(product), subscription);
            }
        }
        return Access.Denied.INVALID_KEY;
    }

    private Optional<Subscription> find(String key) {
        return Optional.ofNullable(byKeyHash.get(new Digest(KeyHash.digest(key))));
    }

    /**
     * A key's SHA-256 digest as a map key: the bytes themselves, so a lookup formats no hex string. Equality is
     * checked in constant time; the hash code is the digest's first bytes, already uniformly distributed.
     */
    private record Digest(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Digest other && MessageDigest.isEqual(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
        }

        @Override
        public String toString() {
            return "Digest[" + bytes.length + " bytes]";
        }
    }

    sealed interface Access {

        /**
         * The request may proceed.
         *
         * @param product      the product context, if any
         * @param subscription the subscription, if a key was presented
         */
        record Granted(Optional<Product> product, Optional<Subscription> subscription) implements Access {
        }

        /** The request is refused with 401. */
        enum Denied implements Access {
            /** No key, and no open product or subscription-free API. */
            MISSING_KEY,
            /** A key that is unknown, inactive, or not valid for this API. */
            INVALID_KEY
        }
    }
}
