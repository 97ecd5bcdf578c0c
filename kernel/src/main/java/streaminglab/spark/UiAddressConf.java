package streaminglab.spark;

import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The notebook's SparkConf, which tells Spark's web UI which address to listen on.
 *
 * <p>Spark 3.5's UI has no setting for that: it listens on {@code SparkConf.getenv("SPARK_LOCAL_IP")}, all
 * addresses when that is unset, while the driver's other ports follow spark.driver.bindAddress. A JVM
 * cannot change its own environment, so this conf answers that one question with the lab's choice
 * (loopback unless SPARK_LOCAL_IP says otherwise). SparkContext works on a clone of the conf it is
 * given: the clone keeps the answer.
 */
final class UiAddressConf extends SparkConf {
    private static final String UI_ADDRESS_VARIABLE = "SPARK_LOCAL_IP";

    private final String uiAddress;

    UiAddressConf(String uiAddress) {
        this(uiAddress, true);
    }

    private UiAddressConf(String uiAddress, boolean loadDefaults) {
        super(loadDefaults); // with defaults: the spark.* system properties, as SparkSession's own conf
        this.uiAddress = uiAddress;
    }

    @Override
    public String getenv(String name) {
        return UI_ADDRESS_VARIABLE.equals(name) ? uiAddress : super.getenv(name);
    }

    @Override
    public SparkConf clone() {
        UiAddressConf copy = new UiAddressConf(uiAddress, false);
        for (Tuple2<String, String> setting : getAll()) copy.set(setting._1(), setting._2());
        return copy;
    }
}
