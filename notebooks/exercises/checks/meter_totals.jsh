// The check of exercise ex04-meter-totals: readings and total kWh per meter over data/meters, from a
// query that processed the files there and then stopped by itself (an available-now trigger).
StreamingQuery meterTotalsRunning = null;
for (StreamingQuery q : spark.streams().active()) if ("meter_totals".equals(q.name())) meterTotalsRunning = q;
boolean meterTotalsStopped = true;
if (meterTotalsRunning != null) {
    meterTotalsRunning.processAllAvailable();                 // all files read; an available-now query ends now
    meterTotalsStopped = meterTotalsRunning.awaitTermination(5000);
}
Dataset<Row> meterTotalsGot = spark.catalog().tableExists("meter_totals")
    ? spark.table("meter_totals")
    : spark.createDataFrame(List.of(), new StructType().add("meter", "string").add("readings", "long").add("total_kwh", "double"));

Check.named("Meter totals, and the query stopped by itself").named("ko", "계량기별 합계, 그리고 스스로 멈춘 쿼리")
    .result(meterTotalsGot.withColumn("stopped_by_itself", lit(meterTotalsStopped)))
    .expect(spark.read().schema("meter STRING, time TIMESTAMP, kwh DOUBLE").option("header", true).csv(courseFile("exercises/data/meters"))
        .groupBy("meter")
        .agg(count("*").as("readings"), round(sum("kwh"), 2).as("total_kwh"))
        .withColumn("stopped_by_itself", lit(true)))
    .columns("meter", "readings", "total_kwh", "stopped_by_itself")
    .hint("The totals may already be right: look at the column stopped_by_itself.")
    .hint("ko", "합계는 이미 맞을 수도 있습니다. stopped_by_itself 열을 보세요.")
    .hint("A query that processes what is there now and then ends has .trigger(Trigger.AvailableNow()).")
    .hint("ko", "지금 있는 데이터만 처리하고 끝나는 쿼리는 .trigger(Trigger.AvailableNow())를 씁니다.")
