package billing;

public class Billing {
    private long charged;

    public Billing() {
        this.charged = 0;
    }

    public long charge(String account, long cents) {
        charged += cents;
        return charged;
    }
}
