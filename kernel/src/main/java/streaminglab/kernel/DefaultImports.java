package streaminglab.kernel;

/** What every notebook has imported without writing it. */
final class DefaultImports {
    static final String SOURCE = String.join("\n",
            "import java.util.*;",
            "import java.util.concurrent.*;",
            "import java.util.stream.*;",
            "import java.time.*;",
            "import org.apache.spark.sql.*;",
            "import org.apache.spark.sql.types.*;",
            "import org.apache.spark.sql.streaming.*;",
            "import org.apache.spark.sql.expressions.*;",
            "import org.apache.spark.sql.api.java.*;",
            "import org.apache.spark.api.java.function.*;",
            "import static org.apache.spark.sql.functions.*;",
            "import static streaminglab.runtime.Lab.*;");

    private DefaultImports() {
    }
}
