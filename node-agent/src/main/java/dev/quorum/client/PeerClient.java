package dev.quorum.client;

import dev.quorum.client.wire.HealthReport;
import dev.quorum.client.wire.InternalBatch;
import dev.quorum.client.wire.InternalBatchResult;
import dev.quorum.common.Threads;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import tools.jackson.core.JacksonException;

/**
 * Asynchronous calls from one Quorum process to another ({@code /internal/…}, {@code /health}) over one
 * shared OkHttp client.
 *
 * <p>Threads: OkHttp's dispatcher runs on the {@code peer-http} pool owned here; callbacks (and so the
 * completion of every returned future) run on it, and must not block. Retries on connection failure
 * are off: a silent second attempt would hide a failure the caller must see and count.
 */
public final class PeerClient implements AutoCloseable {
    public static final MediaType JSON = MediaType.get("application/json");

    private final OkHttpClient http;
    private final ExecutorService dispatcherPool;
    private final String authorization;

    /** Header naming the calling node on every peer call, so a receiver can apply per-peer faults. */
    public static final String FROM_HEADER = "X-Quorum-From";

    private final String selfId;

    public PeerClient(String token) {
        this(token, null, java.util.List.of());
    }

    /**
     * @param selfId sent as {@value #FROM_HEADER} on every call (null: not sent)
     * @param interceptors OkHttp application interceptors, e.g. fault injection
     */
    public PeerClient(String token, String selfId, java.util.List<okhttp3.Interceptor> interceptors) {
        this.selfId = selfId;
        this.dispatcherPool = Threads.cached("peer-http");
        Dispatcher dispatcher = new Dispatcher(dispatcherPool);
        // Bounded per peer by the callers (PeerPipe keeps a few batches in flight); these are backstops.
        dispatcher.setMaxRequests(512);
        dispatcher.setMaxRequestsPerHost(128);
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
                .protocols(java.util.List.of(Protocol.HTTP_1_1))
                .retryOnConnectionFailure(false)
                .socketFactory(new NoDelaySocketFactory())
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(30))
                .writeTimeout(Duration.ofSeconds(30));
        interceptors.forEach(builder::addInterceptor);
        this.http = builder.build();
        this.authorization = token == null ? null : "Bearer " + token;
    }

    /** Sends a batch to {@code base}/internal/batch; the whole call must finish within {@code timeout}. */
    public CompletableFuture<InternalBatchResult> sendBatch(HttpUrl base, InternalBatch batch, Duration timeout) {
        byte[] body = Json.MAPPER.writeValueAsBytes(batch);
        Request req = request(base, "internal/batch").post(RequestBody.create(body, JSON)).build();
        return call(req, timeout, InternalBatchResult.class);
    }

    public CompletableFuture<HealthReport> health(HttpUrl base, Duration timeout) {
        return call(request(base, "health").get().build(), timeout, HealthReport.class);
    }

    /** GET of a JSON document under {@code base}. */
    public <T> CompletableFuture<T> getJson(HttpUrl base, String path, Class<T> type, Duration timeout) {
        return call(request(base, path).get().build(), timeout, type);
    }

    /** POST of a JSON document; the answer is parsed as {@code type}. */
    public <T> CompletableFuture<T> postJson(HttpUrl base, String path, Object body, Class<T> type, Duration timeout) {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        return call(request(base, path).post(RequestBody.create(bytes, JSON)).build(), timeout, type);
    }

    private Request.Builder request(HttpUrl base, String path) {
        Request.Builder b = new Request.Builder().url(base.newBuilder().addPathSegments(path).build());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (selfId != null) {
            b.header(FROM_HEADER, selfId);
        }
        return b;
    }

    private <T> CompletableFuture<T> call(Request req, Duration timeout, Class<T> type) {
        CompletableFuture<T> out = new CompletableFuture<>();
        Call call = http.newCall(req);
        call.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                out.completeExceptionally(classify(e));
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response; ResponseBody body = response.body()) {
                    byte[] bytes = body.bytes();
                    if (!response.isSuccessful()) {
                        out.completeExceptionally(new PeerCallException(PeerCallException.Kind.HTTP, response.code(),
                                "HTTP " + response.code() + ": " + abbreviate(new String(bytes,
                                        java.nio.charset.StandardCharsets.UTF_8)), null));
                        return;
                    }
                    out.complete(Json.MAPPER.readValue(bytes, type));
                } catch (JacksonException e) {
                    out.completeExceptionally(new PeerCallException(PeerCallException.Kind.PROTOCOL, 0,
                            "unreadable answer: " + e.getOriginalMessage(), e));
                } catch (IOException e) {
                    out.completeExceptionally(classify(e));
                }
            }
        });
        return out;
    }

    static PeerCallException classify(IOException e) {
        if (e instanceof ConnectException) {
            return new PeerCallException(PeerCallException.Kind.CONNECT, 0, "connection refused", e);
        }
        if (e instanceof InterruptedIOException) {
            return new PeerCallException(PeerCallException.Kind.TIMEOUT, 0, "timed out", e);
        }
        return new PeerCallException(PeerCallException.Kind.TIMEOUT, 0, "I/O error: " + e.getMessage(), e);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    @Override
    public void close() {
        http.dispatcher().cancelAll();
        Threads.shutdown(dispatcherPool, 2_000);
        http.connectionPool().evictAll();
    }
}
