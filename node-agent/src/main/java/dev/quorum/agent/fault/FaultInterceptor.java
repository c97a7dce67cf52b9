package dev.quorum.agent.fault;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Applies outbound faults to every call this agent makes to a peer. A delayed call waits before it
 * is sent; a lost call is never sent, and fails as a timeout when its call timeout runs out — what
 * a dropped packet looks like to the caller. Runs on OkHttp's dispatcher threads, which may block.
 */
public final class FaultInterceptor implements Interceptor {
    private final FaultInjector faults;
    private final Map<String, String> peerByAddress;

    /** @param peerByAddress "host:port" of each member → its id */
    public FaultInterceptor(FaultInjector faults, Map<String, String> peerByAddress) {
        this.faults = faults;
        this.peerByAddress = Map.copyOf(peerByAddress);
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        String peer = peerByAddress.get(chain.request().url().host() + ":" + chain.request().url().port());
        if (peer == null) {
            return chain.proceed(chain.request());
        }
        FaultInjector.Decision d = faults.outbound(peer);
        long timeoutNanos = chain.call().timeout().timeoutNanos();
        long budgetMillis = timeoutNanos == 0 ? 10_000 : TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
        try {
            if (d.lost()) {
                Thread.sleep(budgetMillis);
                throw new InterruptedIOException("timeout (call to " + peer + " lost by fault injection)");
            }
            if (d.delayMillis() > 0) {
                Thread.sleep(Math.min(d.delayMillis(), budgetMillis));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during an injected delay");
        }
        if (chain.call().isCanceled()) {
            throw new InterruptedIOException("timeout (call to " + peer + " timed out during an injected delay)");
        }
        return chain.proceed(chain.request());
    }
}
