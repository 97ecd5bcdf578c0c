package streaminglab.streaming;

import org.junit.jupiter.api.Test;
import streaminglab.language.Messages;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A failed query's advice: a socket query with no server gets the command that starts one, with its port. */
class StreamingErrorsTest {
    /** What Spark's failure event carries for a socket source with nothing listening: the cause's trace only. */
    private static final String REFUSED = "java.net.ConnectException: Connection refused\n"
            + "\tat java.base/sun.nio.ch.Net.connect0(Native Method)\n"
            + "\tat org.apache.spark.sql.execution.streaming.sources.TextSocketMicroBatchStream.initialize(TextSocketMicroBatchStream.scala:72)\n";

    @Test
    void aSocketQueryOnThisMachineIsToldToStartTheLabsServerOnItsPort() {
        String said = StreamingErrors.forFailedQuery(REFUSED, "java.net.ConnectException: Connection refused", null,
                (error, checkpoint) -> null, List.of("socket localhost:19995"));
        assertEquals(Messages.text("streaming.socket_no_server", "localhost", "19995")
                + "\njava.net.ConnectException: Connection refused", said);
    }

    @Test
    void aSocketQueryElsewhereIsNotToldToStartTheLabsServer() {
        assertEquals(Messages.text("streaming.socket_no_server.elsewhere", "example.org", "7000"),
                StreamingErrors.noSocketServer(REFUSED, List.of("kafka localhost:9092", "socket example.org:7000")));
    }

    @Test
    void otherFailuresGetNoSocketAdvice() {
        assertNull(StreamingErrors.noSocketServer("java.lang.IllegalStateException: boom", List.of("socket localhost:9999")));
        assertNull(StreamingErrors.noSocketServer(REFUSED, List.of("kafka localhost:9092")));
    }
}
