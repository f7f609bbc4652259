package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.gatehouse.demo.DemoBackend;

/** Subscription keys and scopes as APIM: every scope, states, open products, key names, exact 401 bodies. */
@ServerTest
class SubscriptionScopeTest {

    static final String MISSING = "{ \"statusCode\": 401, \"message\": \"Access denied due to missing subscription key."
            + " Make sure to include subscription key when making requests to an API.\" }";
    static final String INVALID = "{ \"statusCode\": 401, \"message\": \"Access denied due to invalid subscription key."
            + " Make sure to provide a valid key for an active subscription.\" }";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DemoBackend BACKEND = DemoBackend.start("127.0.0.1", 0);
    private static final TestFolder FOLDER = TestFolder.temporary("gatehouse-subscriptions");
    private static final Gateway GATEWAY = gateway();

    private final URI uri;

    SubscriptionScopeTest(URI uri) {
        this.uri = uri;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        GATEWAY.routing(routing);
    }

    @AfterAll
    static void stopBackend() {
        BACKEND.close();
        FOLDER.delete();
    }

    private static Gateway gateway() {
        String echo = "http://127.0.0.1:" + BACKEND.port() + "/echo";
        FOLDER
                .api("orders", "orders", echo, true, "GET /{id}")
                .api("billing", "billing", echo, true, "GET /{id}")
                .api("open", "open", echo, true, "GET /{id}")
                .api("free", "free", echo, false, "GET /{id}")
                .apiWith("custom", "custom", echo, true,
                         ", \"subscriptionKeyParameterNames\": {\"header\": \"X-Api-Key\", \"query\": \"apikey\"}",
                         "GET /{id}")
                .product("gold", true, "orders", "custom")
                .product("community", false, "open")
                .subscription("all-apis", "/apis", "active", "key-all-apis-0000000000000000")
                .subscription("billing-only", "/apis/billing", "active", "key-billing-only-0000000000000")
                .subscription("gold-sub", "/products/gold", "active", "key-gold-product-0000000000000")
                .subscription("suspended", "/apis", "suspended", "key-suspended-000000000000000");
        return FOLDER.gateway(Map.of());
    }

    private int status(String path, String... headers) {
        return HttpCalls.get(uri, path, headers).statusCode();
    }

    /** Without a key, an API that requires one answers 401 with APIM's body and WWW-Authenticate. */
    @Test
    void missingKeyGets401WithApimBody() {
        HttpResponse<String> r = HttpCalls.get(uri, "/orders/1");
        assertEquals(401, r.statusCode());
        assertEquals(MISSING, r.body());
        assertEquals("AzureApiManagementKey realm=\"https://localhost/orders\",name=\"Ocp-Apim-Subscription-Key\","
                             + "type=\"header\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
    }

    /** An unknown key gets the invalid-key body. */
    @Test
    void unknownKeyGets401Invalid() {
        HttpResponse<String> r = HttpCalls.get(uri, "/orders/1", "Ocp-Apim-Subscription-Key", "no-such-key-000000000");
        assertEquals(401, r.statusCode());
        assertEquals(INVALID, r.body());
    }

    /** Scope /apis opens every API. */
    @Test
    void allApisScope() {
        assertEquals(200, status("/orders/1", "Ocp-Apim-Subscription-Key", "key-all-apis-0000000000000000"));
        assertEquals(200, status("/billing/1", "Ocp-Apim-Subscription-Key", "key-all-apis-0000000000000000"));
    }

    /** Scope /apis/{api} opens that API only. */
    @Test
    void singleApiScope() {
        assertEquals(200, status("/billing/1", "Ocp-Apim-Subscription-Key", "key-billing-only-0000000000000"));
        assertEquals(401, status("/orders/1", "Ocp-Apim-Subscription-Key", "key-billing-only-0000000000000"));
    }

    /** Scope /products/{p} opens the product's APIs only. */
    @Test
    void productScope() {
        assertEquals(200, status("/orders/1", "Ocp-Apim-Subscription-Key", "key-gold-product-0000000000000"));
        assertEquals(401, status("/billing/1", "Ocp-Apim-Subscription-Key", "key-gold-product-0000000000000"));
    }

    /** Only active subscriptions work. */
    @Test
    void suspendedSubscriptionRefused() {
        HttpResponse<String> r = HttpCalls.get(uri, "/orders/1", "Ocp-Apim-Subscription-Key", "key-suspended-000000000000000");
        assertEquals(401, r.statusCode());
        assertEquals(INVALID, r.body());
    }

    /** An API in an open product, or one that needs no subscription, answers without a key. */
    @Test
    void openProductAndSubscriptionFreeApiNeedNoKey() {
        assertEquals(200, status("/open/1"));
        assertEquals(200, status("/free/1"));
    }

    /** The key may come in the query; it is not forwarded to the backend, in the query or in the header. */
    @Test
    void keyInQueryAcceptedAndStripped() throws IOException {
        HttpResponse<String> r = HttpCalls.get(uri, "/orders/1?a=1&subscription-key=key-all-apis-0000000000000000&b=2");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode echo = JSON.readTree(r.body());
        assertEquals("a=1&b=2", echo.path("query").asText());
        HttpResponse<String> h = HttpCalls.get(uri, "/orders/1", "Ocp-Apim-Subscription-Key", "key-all-apis-0000000000000000");
        assertTrue(JSON.readTree(h.body()).path("headers").path("Ocp-Apim-Subscription-Key").isMissingNode(), h.body());
    }

    /** Per-API key names replace the defaults, in the header and in the query. */
    @Test
    void customKeyNamesHonoured() {
        assertEquals(200, status("/custom/1", "X-Api-Key", "key-gold-product-0000000000000"));
        assertEquals(200, status("/custom/1?apikey=key-gold-product-0000000000000"));
        HttpResponse<String> r = HttpCalls.get(uri, "/custom/1", "Ocp-Apim-Subscription-Key", "key-gold-product-0000000000000");
        assertEquals(401, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("name=\"X-Api-Key\""));
    }
}
