package dev.quorum.agent.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import dev.quorum.testing.RawHttp;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the agent's HTTP server treats connections: ordering, deadlines, malformed requests. */
class ConnectionHandlingTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(1, "--request-read-timeout-ms", "1500");

    private int port() {
        String url = ext.get().url(0);
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    @Test
    @Timeout(30)
    void pipelinedRequestsAreAnsweredInOrderAndSeeEachOthersWrites() throws IOException {
        try (Socket s = RawHttp.connect(port(), Duration.ofSeconds(10))) {
            RawHttp.send(s, "PUT /kv/pipe HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
                    + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /kv/pipe HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Reply r = read(in);
                seen.add(r.status + " " + r.body);
            }
            assertThat(seen.get(0)).startsWith("200 {\"key\":\"pipe\"");
            assertThat(seen.get(1)).startsWith("200 {\"status\":\"ok\"");
            assertThat(seen.get(2)).isEqualTo("200 first");
            assertThat(seen.get(3)).startsWith("404 {\"error\":\"not_found\"");
        }
    }

    @Test
    @Timeout(30)
    void aClientStalledInItsHeadersGets408AndIsDisconnected() throws IOException {
        try (Socket s = RawHttp.connect(port(), Duration.ofSeconds(10))) {
            RawHttp.send(s, "GET /health HTTP/1.1\r\nHost: x\r\nX-Half: wai");
            long start = System.nanoTime();
            Reply r = read(new BufferedInputStream(s.getInputStream()));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(r.status).isEqualTo(408);
            assertThat(r.body).contains("request_timeout");
            assertThat(seconds).isLessThan(8); // the idle timeout (120 s) did not have to do it
            assertThat(s.getInputStream().read()).as("closed after the 408").isEqualTo(-1);
        }
    }

    @Test
    @Timeout(30)
    void aMalformedRequestIsAnsweredInJsonAndTheConnectionClosed() throws IOException {
        try (Socket s = RawHttp.connect(port(), Duration.ofSeconds(10))) {
            RawHttp.send(s, "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            Reply r = read(in);
            assertThat(r.status).isEqualTo(400);
            assertThat(r.body).startsWith("{\"error\":\"bad_request\"");
            assertThat(in.read()).as("closed after the 400").isEqualTo(-1);
        }
        // And the agent still serves new connections normally.
        AgentCluster c = ext.get();
        assertThat(c.client(0).health().status()).isEqualTo(200);
    }

    private record Reply(int status, String body) {}

    /** One response framed by Content-Length, read from a stream shared by several responses. */
    private static Reply read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("connection closed before a status line");
        }
        int length = 0;
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            if (h.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Reply(Integer.parseInt(status.split(" ")[1]), new String(body, ISO_8859_1));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c == -1 && b.size() == 0 ? null : b.toString(ISO_8859_1);
    }
}
