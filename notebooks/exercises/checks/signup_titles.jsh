// The check of exercise ex06-broken-records: people per title in the Kafka topic signups, with the
// records that are not valid JSON counted as "(malformed)" and valid ones without a title as
// "(no title)". Worked out as a batch query over the whole topic, with get_json_object instead of
// from_json: '$' is null when a record is not JSON, '$.title' when it has no title.
Check.named("People per title, broken records counted apart").named("ko", "title별 사람 수, 깨진 레코드는 따로")
    .query("signup_titles")
    .expect(spark.read()
        .format("kafka")
        .option("kafka.bootstrap.servers", kafkaBootstrapServers())
        .option("subscribe", "signups")
        .load()
        .select(col("value").cast("string").as("record"))
        .select(when(get_json_object(col("record"), "$").isNull(), "(malformed)")
                .when(get_json_object(col("record"), "$.title").isNull(), "(no title)")
                .otherwise(get_json_object(col("record"), "$.title")).as("title"))
        .groupBy("title")
        .agg(count("*").as("people")))
    .columns("title", "people")
    .hint("A row with title null is the broken records and the ones without a title, mixed up: tell them apart.")
    .hint("ko", "title이 null인 행에는 깨진 레코드와 title이 없는 레코드가 섞여 있습니다. 둘을 구별하세요.")
    .hint("Add .add(\"_corrupt_record\", \"string\") to the schema and pass Map.of(\"columnNameOfCorruptRecord\", \"_corrupt_record\") to from_json: "
        + "that field holds the text of a record that is not JSON.")
    .hint("ko", "스키마에 .add(\"_corrupt_record\", \"string\")를 추가하고 from_json에 Map.of(\"columnNameOfCorruptRecord\", \"_corrupt_record\")를 넘기세요. "
        + "JSON이 아닌 레코드는 그 텍스트가 이 필드에 담깁니다.")
    .hint("Then when(col(\"p._corrupt_record\").isNotNull(), \"(malformed)\").when(col(\"p.title\").isNull(), \"(no title)\").otherwise(col(\"p.title\")).")
    .hint("ko", "그다음 when(col(\"p._corrupt_record\").isNotNull(), \"(malformed)\").when(col(\"p.title\").isNull(), \"(no title)\").otherwise(col(\"p.title\"))로 title을 정합니다.")
