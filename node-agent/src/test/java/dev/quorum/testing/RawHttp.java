package dev.quorum.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 written and read by hand over a socket, for tests that must send what client libraries
 * refuse or normalise: malformed percent-escapes, raw control bytes, odd methods, duplicated or
 * conflicting headers, hand-made chunked bodies, requests that stall half-way.
 */
public final class RawHttp {
    private RawHttp() {}

    /** A response as it came off the wire; header names are case-insensitive. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public String text() {
            return new String(body, UTF_8);
        }
    }

    /** A connection to a loopback port whose reads give up after {@code timeout}. */
    public static Socket connect(int port, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            s.setSoTimeout((int) timeout.toMillis());
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Writes {@code latin1} byte for byte (each char below U+0100 becomes one byte). */
    public static void send(Socket s, String latin1) throws IOException {
        send(s, latin1.getBytes(ISO_8859_1));
    }

    public static void send(Socket s, byte[] bytes) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** Sends one request on a fresh connection and reads the one response. */
    public static Response exchange(int port, byte[] request, Duration timeout) throws IOException {
        try (Socket s = connect(port, timeout)) {
            send(s, request);
            return readResponse(s.getInputStream());
        }
    }

    /**
     * Reads one response framed by Content-Length, chunked coding or the end of the connection —
     * never waiting for the server to close when it announced a length (it may still be draining a
     * request body the client never sent).
     */
    public static Response readResponse(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw);
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a status line");
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.computeIfAbsent(h.substring(0, colon).trim(), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).trim());
        }
        String te = headers.containsKey("Transfer-Encoding") ? headers.get("Transfer-Encoding").get(0) : null;
        String cl = headers.containsKey("Content-Length") ? headers.get("Content-Length").get(0) : null;
        byte[] body;
        if ("chunked".equalsIgnoreCase(te)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
                all.write(in.readNBytes(size));
                line(in);
            }
            line(in);
            body = all.toByteArray();
        } else if (cl != null) {
            body = in.readNBytes(Integer.parseInt(cl));
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, body);
    }

    /** Chunked transfer coding of {@code data} in chunks of {@code size} bytes, with the last chunk. */
    public static byte[] chunked(byte[] data, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < data.length; i += size) {
            int n = Math.min(size, data.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(ISO_8859_1));
            out.write(data, i, n);
            out.writeBytes("\r\n".getBytes(ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(ISO_8859_1));
        return out.toByteArray();
    }

    private static int chunkSize(InputStream in) throws IOException {
        String l = line(in);
        if (l == null) {
            throw new IOException("connection closed inside a chunked body");
        }
        int semicolon = l.indexOf(';');
        return Integer.parseInt((semicolon < 0 ? l : l.substring(0, semicolon)).trim(), 16);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return b.size() == 0 ? null : b.toString(ISO_8859_1);
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(ISO_8859_1);
    }
}
