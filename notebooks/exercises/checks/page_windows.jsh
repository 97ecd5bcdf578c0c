// The check of exercise ex03-page-windows: clicks per page in 10-minute windows of event time with a
// 5-minute watermark, in append mode, after the files of data/shop-clicks were dropped one per
// micro-batch. Worked out with batch queries: which clicks came too late for the watermark of their
// micro-batch, and which windows the final watermark has closed (append mode writes only those).
spark.conf().set("spark.sql.session.timeZone", "UTC");

Dataset<Row> pageWindowsClicks = spark.read().schema("time TIMESTAMP, user STRING, page STRING").json(courseFile("exercises/data/shop-clicks"))
    .withColumn("file", regexp_extract(input_file_name(), "clicks-(\\d+)\\.json", 1).cast("int"));

// the watermark while file k was processed: the latest click of files 1 .. k-1, minus 5 minutes
Dataset<Row> pageWindowsMarks = pageWindowsClicks.groupBy("file").agg(max("time").as("latest"))
    .withColumn("watermark", expr("max(latest) OVER (ORDER BY file ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        + " - INTERVAL 5 MINUTES"));

// after the last file: the latest click of all, minus 5 minutes; windows that end by then are final
java.sql.Timestamp pageWindowsFinal = new java.sql.Timestamp(
    pageWindowsClicks.agg(max("time")).first().getTimestamp(0).getTime() - 5 * 60 * 1000);

Check.named("Clicks per page per 10 minutes, final windows only").named("ko", "10분마다 페이지별 클릭 수, 확정된 윈도우만")
    .query("page_windows")
    .expect(pageWindowsClicks.join(pageWindowsMarks, "file")
        .where(col("watermark").isNull().or(col("time").geq(col("watermark"))))
        .groupBy(window(col("time"), "10 minutes"), col("page"))
        .agg(count("*").as("clicks"))
        .where(col("window.end").leq(lit(pageWindowsFinal)))
        .select(col("window.start").as("window_start"), col("page"), col("clicks")))
    .columns("window_start", "page", "clicks")
    .hint("Append mode writes a window once, when it is final: that needs .withWatermark(\"time\", \"5 minutes\") before the groupBy.")
    .hint("ko", "append 출력 모드는 윈도우가 확정되었을 때 한 번만 씁니다. 그러려면 groupBy 앞에 .withWatermark(\"time\", \"5 minutes\")가 있어야 합니다.")
    .hint("A window is final when the watermark (latest click seen minus 5 minutes) has passed its end, so the newest window is not in the result yet.")
    .hint("ko", "워터마크(지금까지 본 가장 늦은 클릭 시각에서 5분을 뺀 시각)가 윈도우의 끝을 지나야 그 윈도우가 확정됩니다. 그래서 가장 최근 윈도우는 아직 결과에 없습니다.")
    .hint("A click older than the watermark of its micro-batch is dropped: with a watermark, a very late click does not count.")
    .hint("ko", "자기 마이크로 배치의 워터마크보다 오래된 클릭은 버려집니다. 워터마크가 있으면 너무 늦게 온 클릭은 세지 않습니다.")
