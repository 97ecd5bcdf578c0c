package streaminglab.kafka;

import net.datafaker.Faker;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * The {@code fake_people} records of the lesson: JSON {@code {"id","name","title"}} plus email,
 * company, country and created_at. Names, companies and countries come from datafaker; titles
 * follow a skewed, Zipf-like distribution over common job titles with a long tail, so a top-10
 * has a clear winner. The same seed gives the same records, in the same order.
 */
public final class FakePeople {
    /** Common titles, most frequent first; the i-th is drawn with weight 1 / i^ZIPF_EXPONENT. */
    static final List<String> COMMON_TITLES = List.of(
            "Software Engineer", "Sales Representative", "Customer Service Representative", "Registered Nurse",
            "Data Analyst", "Project Manager", "Accountant", "Marketing Manager", "Teacher",
            "Administrative Assistant", "Operations Manager", "Product Manager", "Graphic Designer",
            "Data Scientist", "Financial Analyst", "Human Resources Manager", "Business Analyst",
            "Mechanical Engineer", "Web Developer", "Pharmacist", "Civil Engineer", "Office Manager",
            "Account Executive", "DevOps Engineer", "UX Designer", "Electrician", "Physician", "Lawyer",
            "Management Consultant", "Recruiter", "Data Engineer", "Architect", "Chef", "Dentist", "Journalist",
            "Economist", "Librarian", "Airline Pilot", "Veterinarian", "Actuary");
    static final double ZIPF_EXPONENT = 1.1;
    /** The share of people whose title is a rarer one, drawn from datafaker's job titles. */
    static final double LONG_TAIL_SHARE = 0.08;

    // datafaker resolves its expressions on every call (about 25k people/s); drawing from pools it
    // filled once keeps the producer at hundreds of thousands of records per second
    private static final int NAME_POOL = 1500;
    private static final int COMPANY_POOL = 400;
    private static final int COUNTRY_POOL = 120;
    private static final int TAIL_TITLE_POOL = 400;
    private static final List<String> MAIL_DOMAINS = List.of(
            "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me", "aol.com");
    private static final long CREATED_FROM = Instant.parse("2015-01-01T00:00:00Z").getEpochSecond();
    private static final long CREATED_UNTIL = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();

    private static final java.util.concurrent.atomic.AtomicBoolean WARMING = new java.util.concurrent.atomic.AtomicBoolean();

    private final Random random;
    private final String[] firstNames;
    private final String[] lastNames;
    private final String[] companies;
    private final String[] countries;
    private final String[] tailTitles;
    private final double[] titleCumulative;
    private final StringBuilder json = new StringBuilder(256);
    private long made;

    public FakePeople(long seed) {
        this.random = new Random(seed);
        Faker faker = new Faker(Locale.US, new Random(seed ^ 0x5DEECE66DL));
        firstNames = fill(NAME_POOL, () -> faker.name().firstName());
        lastNames = fill(NAME_POOL, () -> faker.name().lastName());
        companies = fill(COMPANY_POOL, () -> faker.company().name());
        countries = fill(COUNTRY_POOL, () -> faker.address().country());
        List<String> tail = new ArrayList<>();
        while (tail.size() < TAIL_TITLE_POOL) {
            String title = faker.job().title();
            if (!COMMON_TITLES.contains(title)) tail.add(title);
        }
        tailTitles = tail.toArray(new String[0]);
        titleCumulative = new double[COMMON_TITLES.size()];
        double sum = 0;
        for (int i = 0; i < titleCumulative.length; i++) {
            sum += 1.0 / Math.pow(i + 1, ZIPF_EXPONENT);
            titleCumulative[i] = sum;
        }
        for (int i = 0; i < titleCumulative.length; i++) titleCumulative[i] /= sum;
    }

    /**
     * Loads datafaker's data files in the background, once: the first generator of a JVM takes
     * seconds for that (later ones a few milliseconds), and a producer should not start with a pause.
     */
    public static void warmUpInBackground() {
        if (!WARMING.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> new FakePeople(0), "fake-people-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** How many records this generator made so far. */
    public long made() {
        return made;
    }

    /** The next person's id (also the record's key) and JSON. */
    public Person next() {
        String id = new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
        String first = firstNames[random.nextInt(firstNames.length)];
        String last = lastNames[random.nextInt(lastNames.length)];
        String title = title();
        String company = companies[random.nextInt(companies.length)];
        String country = countries[random.nextInt(countries.length)];
        String email = mailbox(first) + "." + mailbox(last) + (random.nextInt(4) == 0 ? String.valueOf(random.nextInt(100)) : "")
                + "@" + MAIL_DOMAINS.get(random.nextInt(MAIL_DOMAINS.size()));
        String createdAt = Instant.ofEpochSecond(CREATED_FROM + (long) (random.nextDouble() * (CREATED_UNTIL - CREATED_FROM))).toString();
        json.setLength(0);
        json.append('{');
        field("id", id).append(',');
        field("name", first + " " + last).append(',');
        field("title", title).append(',');
        field("email", email).append(',');
        field("company", company).append(',');
        field("country", country).append(',');
        field("created_at", createdAt).append('}');
        made++;
        return new Person(id, json.toString());
    }

    /** One fake person: the id (the Kafka key) and the JSON (the Kafka value). */
    public record Person(String id, String json) {
    }

    private String title() {
        if (random.nextDouble() < LONG_TAIL_SHARE) return tailTitles[random.nextInt(tailTitles.length)];
        double u = random.nextDouble();
        int lo = 0;
        int hi = titleCumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (titleCumulative[mid] < u) lo = mid + 1;
            else hi = mid;
        }
        return COMMON_TITLES.get(lo);
    }

    private StringBuilder field(String name, String value) {
        json.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) json.append(String.format("\\u%04x", (int) c));
                    else json.append(c);
                }
            }
        }
        return json.append('"');
    }

    private static String mailbox(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (char c : name.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c >= 'a' && c <= 'z') sb.append(c);
        }
        return sb.length() == 0 ? "user" : sb.toString();
    }

    private static String[] fill(int size, java.util.function.Supplier<String> make) {
        String[] pool = new String[size];
        for (int i = 0; i < size; i++) pool[i] = make.get();
        return pool;
    }
}
