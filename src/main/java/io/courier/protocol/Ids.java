package io.courier.protocol;

import java.util.regex.Pattern;

/** The shapes of the identifiers on the wire, checked in one place. */
public final class Ids {
  /** Account ids: lower case, 3 to 32 characters; safe inside a Redis key and a hash tag. */
  public static final Pattern ACCOUNT = Pattern.compile("[a-z0-9][a-z0-9_.-]{2,31}");
  /** Client-chosen request and message ids (UUIDs, ULIDs): no separators the mailbox uses. */
  public static final Pattern REQUEST = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** Mailbox entry ids as Redis streams name them: milliseconds-sequence. */
  public static final Pattern ENTRY = Pattern.compile("[0-9]{1,20}-[0-9]{1,20}");

  private Ids() {}

  public static boolean isAccount(String s) {
    return s != null && ACCOUNT.matcher(s).matches();
  }

  public static boolean isRequest(String s) {
    return s != null && REQUEST.matcher(s).matches();
  }

  public static boolean isEntry(String s) {
    return s != null && ENTRY.matcher(s).matches();
  }
}
