package streaminglab.kernel;

import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.messages.reply.InterruptReply;
import io.github.spencerpark.jupyter.messages.reply.KernelInfoReply;
import io.github.spencerpark.jupyter.messages.ContentType;
import io.github.spencerpark.jupyter.messages.MessageType;

import java.util.List;

/** Replies as protocol 5.3 wants them: the base library leaves out `status` on some. */
final class Replies {
    private Replies() {
    }

    static final class KernelInfo extends KernelInfoReply {
        @SuppressWarnings("unused") // serialized by Gson
        private final String status = "ok";

        KernelInfo(String protocolVersion, String implementation, String version, LanguageInfo language,
                   String banner, List<LanguageInfo.Help> help) {
            super(protocolVersion, implementation, version, language, banner, help);
        }
    }

    /**
     * history_reply with entries as the protocol's (session, line, input) tuples; when the request asked for
     * output, input is (input, output), the output null for a cell that showed no value (as in ipykernel).
     */
    static final class History implements ContentType<History> {
        @SuppressWarnings({"unchecked", "rawtypes"})
        private static final MessageType<History> TYPE = (MessageType) MessageType.HISTORY_REPLY;

        @SuppressWarnings("unused")
        private final String status = "ok";
        @SuppressWarnings("unused")
        private final List<List<Object>> history = new java.util.ArrayList<>();

        History(List<HistoryEntry> entries, boolean withOutput) {
            for (HistoryEntry e : entries) {
                Object input = withOutput ? java.util.Arrays.asList(e.getInput(), e.getOutput()) : e.getInput();
                history.add(List.of(e.getSession(), e.getCellNumber(), input));
            }
        }

        @Override
        public MessageType<History> getType() {
            return TYPE;
        }
    }

    /** execute_reply of a cell that ran, with what it answered in the pager (NAME?, %help NAME) as the page payload. */
    static final class Executed implements ContentType<Executed> {
        @SuppressWarnings({"unchecked", "rawtypes"})
        private static final MessageType<Executed> TYPE = (MessageType) MessageType.EXECUTE_REPLY;

        @SuppressWarnings("unused")
        private final String status = "ok";
        @SuppressWarnings("unused")
        private final int execution_count;
        @SuppressWarnings("unused")
        private final java.util.Map<String, Object> user_expressions = java.util.Map.of();
        @SuppressWarnings("unused")
        private final List<java.util.Map<String, Object>> payload;

        Executed(int executionCount, DisplayData page) {
            this.execution_count = executionCount;
            this.payload = page == null ? List.of()
                    : List.of(java.util.Map.of("source", "page", "data", bundle(page), "start", 0));
        }

        private static java.util.Map<String, Object> bundle(DisplayData page) {
            java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
            for (MIMEType type : List.of(MIMEType.TEXT_PLAIN, MIMEType.TEXT_HTML, MIMEType.TEXT_MARKDOWN)) {
                Object value = page.getData(type);
                if (value != null) data.put(type.toString(), value);
            }
            return data;
        }

        @Override
        public MessageType<Executed> getType() {
            return TYPE;
        }
    }

    /** execute_reply for a cell that was queued behind a failed one and not run (stop_on_error). */
    static final class Aborted implements ContentType<Aborted> {
        @SuppressWarnings({"unchecked", "rawtypes"})
        private static final MessageType<Aborted> TYPE = (MessageType) MessageType.EXECUTE_REPLY;

        @SuppressWarnings("unused")
        private final String status = "aborted";

        @Override
        public MessageType<Aborted> getType() {
            return TYPE;
        }
    }

    /** comm_info_reply: the lab opens no comms, and the reply needs its status. */
    static final class CommInfo implements ContentType<CommInfo> {
        @SuppressWarnings({"unchecked", "rawtypes"})
        private static final MessageType<CommInfo> TYPE = (MessageType) MessageType.COMM_INFO_REPLY;

        @SuppressWarnings("unused")
        private final String status = "ok";
        @SuppressWarnings("unused")
        private final java.util.Map<String, Object> comms = java.util.Map.of();

        @Override
        public MessageType<CommInfo> getType() {
            return TYPE;
        }
    }

    static final class Interrupt extends InterruptReply {
        @SuppressWarnings("unused")
        private final String status = "ok";
    }

    /** The base library's shutdown reply cannot be extended; this one has the same fields plus status. */
    static final class Shutdown implements ContentType<Shutdown> {
        @SuppressWarnings({"unchecked", "rawtypes"})
        private static final MessageType<Shutdown> TYPE = (MessageType) MessageType.SHUTDOWN_REPLY;

        @SuppressWarnings("unused")
        private final String status = "ok";
        @SuppressWarnings("unused")
        private final boolean restart;

        Shutdown(boolean restart) {
            this.restart = restart;
        }

        @Override
        public MessageType<Shutdown> getType() {
            return TYPE;
        }
    }
}
