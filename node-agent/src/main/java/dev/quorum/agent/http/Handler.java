package dev.quorum.agent.http;

/** Serves the requests of one part of the API; throws {@link ApiException} to answer with an error. */
@FunctionalInterface
public interface Handler {
    void handle(Call call) throws Exception;
}
