package streaminglab.output;

import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.messages.ContentType;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.publish.PublishDisplayData;
import io.github.spencerpark.jupyter.messages.publish.PublishStream;
import io.github.spencerpark.jupyter.messages.publish.PublishUpdateDisplayData;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Where one cell's output goes: IOPub messages whose parent is that cell's execute_request.
 * It stays usable after the cell finished, so threads the cell started (stream queries,
 * feeders, listeners) keep writing under it.
 */
public final class CellOutput {
    /** Past this many buffered bytes a stream is flushed at once instead of on the next tick. */
    private static final int FLUSH_AT_BYTES = 64 * 1024;

    private final JupyterSocket iopub;
    private final MessageContext request;
    private final int executionCount;
    private final StreamBuffer out = new StreamBuffer(PublishStream.StreamType.OUT);
    private final StreamBuffer err = new StreamBuffer(PublishStream.StreamType.ERR);
    private final java.util.function.Consumer<CellOutput> onPending;
    /** null: no limit (output before the router knows one) */
    private final OutputSpill spill;

    CellOutput(JupyterSocket iopub, MessageContext request, int executionCount,
               java.util.function.Consumer<CellOutput> onPending, OutputLimit limit) {
        this.iopub = iopub;
        this.onPending = onPending;
        this.request = request;
        this.executionCount = executionCount;
        this.spill = limit == null ? null : new OutputSpill(limit.bytes(), limit.spillDir(), executionCount);
    }

    public int executionCount() {
        return executionCount;
    }

    public MessageContext request() {
        return request;
    }

    void write(PublishStream.StreamType type, byte[] bytes, int off, int len) {
        if (spill != null) {
            OutputSpill.Outcome outcome = spill.spill(bytes, off, len);
            if (outcome == OutputSpill.Outcome.CUT_HERE) {
                flush();
                publish(new PublishStream(PublishStream.StreamType.ERR, spill.cutNote()));
            }
            if (outcome != OutputSpill.Outcome.SHOWN) return;
        }
        StreamBuffer buffer = type == PublishStream.StreamType.OUT ? out : err;
        boolean full;
        synchronized (buffer) {
            buffer.bytes.write(bytes, off, len);
            full = buffer.bytes.size() >= FLUSH_AT_BYTES;
        }
        if (full) flush();
        else onPending.accept(this);
    }

    /** Sends what the streams hold; called on a timer, before displays, and when the cell ends. */
    public void flush() {
        out.flushTo(this);
        err.flushTo(this);
    }

    /** The cell's own code ended: says where output past the limit went, if any did. */
    void ended() {
        flush();
        String note = spill == null ? null : spill.endNote();
        if (note != null) publish(new PublishStream(PublishStream.StreamType.ERR, note));
    }

    public void display(DisplayData data) {
        flush();
        publish(new PublishDisplayData(data));
    }

    public void updateDisplay(DisplayData data) {
        publish(new PublishUpdateDisplayData(data));
    }

    public <T extends ContentType<T>> void publish(T content) {
        iopub.sendMessage(new Message<>(request, content.getType(), content));
    }

    /** Bytes of one stream, decoded as UTF-8 up to the last whole character. */
    private static final class StreamBuffer {
        final PublishStream.StreamType type;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);

        StreamBuffer(PublishStream.StreamType type) {
            this.type = type;
        }

        /**
         * Publishes what the buffer holds. The publish happens under the buffer's lock: the flusher thread
         * and the end of the cell both flush, and the end must not return (and the kernel send status idle)
         * while the flusher still has the cell's last text on its way out.
         */
        void flushTo(CellOutput cell) {
            synchronized (this) {
                if (bytes.size() == 0) return;
                ByteBuffer in = ByteBuffer.wrap(bytes.toByteArray());
                CharBuffer chars = CharBuffer.allocate(in.remaining() + 1);
                decoder.reset();
                decoder.decode(in, chars, false);
                chars.flip();
                String text = chars.toString();
                bytes.reset();
                // keep an incomplete trailing character for the next write
                if (in.hasRemaining()) bytes.write(in.array(), in.position(), in.remaining());
                if (!text.isEmpty()) cell.publish(new PublishStream(type, text));
            }
        }
    }
}
