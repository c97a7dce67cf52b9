package dev.quorum.balancer;

import dev.quorum.client.NoDelaySocketFactory;
import dev.quorum.common.Threads;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Sends one request to one backend over kept-alive connections (OkHttp, asynchronous) and brings
 * back its whole answer. Hop-by-hop headers are not forwarded either way.
 *
 * <p>Threads: OkHttp's dispatcher runs on the {@code upstream} pool owned here; completions run
 * there and must not block.
 */
final class Forwarder implements AutoCloseable {
    /** Headers that describe one connection, not the request (RFC 9110 §7.6.1), plus those we set ourselves. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "host", "content-length");

    /** What came back from a backend. */
    record Answer(String backend, int status, Headers headers, byte[] body, String contentType) {}

    private final ExecutorService pool = Threads.cached("upstream");
    private final OkHttpClient client;

    Forwarder() {
        Dispatcher dispatcher = new Dispatcher(pool);
        dispatcher.setMaxRequests(4_096);
        dispatcher.setMaxRequestsPerHost(1_024);
        this.client = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
                .protocols(List.of(Protocol.HTTP_1_1))
                .retryOnConnectionFailure(false) // the balancer decides what is retried, and where
                .followRedirects(false)
                .socketFactory(new NoDelaySocketFactory())
                .connectTimeout(Duration.ofSeconds(1))
                .build();
    }

    OkHttpClient client() {
        return client;
    }

    private record Timed(long timeoutMs, OkHttpClient client) {}

    /** The client with this call timeout, kept until the timeout changes (sharing pool and dispatcher). */
    private volatile Timed timed;

    private OkHttpClient timed(long timeoutMs) {
        Timed t = timed;
        if (t == null || t.timeoutMs() != timeoutMs) {
            t = new Timed(timeoutMs, client.newBuilder().callTimeout(timeoutMs, TimeUnit.MILLISECONDS).build());
            timed = t;
        }
        return t.client();
    }

    CompletableFuture<Answer> send(Backend b, String method, String pathAndQuery, List<Map.Entry<String, String>> headers,
            byte[] body, long timeoutMs) {
        HttpUrl url = HttpUrl.get(b.url().toString().replaceAll("/$", "") + pathAndQuery);
        Request.Builder rb = new Request.Builder().url(url);
        String contentType = null;
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("content-type")) {
                contentType = h.getValue();
            } else if (!HOP_BY_HOP.contains(name)) {
                rb.addHeader(h.getKey(), h.getValue());
            }
        }
        RequestBody rbody = null;
        if (method.equals("PUT") || method.equals("POST") || (body != null && body.length > 0)) {
            rbody = RequestBody.create(body == null ? new byte[0] : body,
                    contentType == null ? null : MediaType.parse(contentType));
            if (contentType != null && rbody.contentType() == null) {
                rb.header("Content-Type", contentType); // unparseable for OkHttp: passed as sent
            }
        }
        rb.method(method, rbody);
        CompletableFuture<Answer> done = new CompletableFuture<>();
        Call call = timed(timeoutMs).newCall(rb.build());
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                done.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call c, Response r) {
                try (r) {
                    byte[] bytes = r.body().bytes();
                    done.complete(new Answer(b.id(), r.code(), r.headers(), bytes, r.header("Content-Type")));
                } catch (IOException e) {
                    done.completeExceptionally(e);
                }
            }
        });
        return done;
    }

    @Override
    public void close() {
        client.dispatcher().cancelAll();
        Threads.shutdown(pool, 2_000);
        client.connectionPool().evictAll();
    }
}
