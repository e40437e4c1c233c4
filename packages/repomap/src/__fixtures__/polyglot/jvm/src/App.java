package billing;

public class App {
    public static void main(String[] args) {
        Billing billing = new Billing();
        billing.charge("acme", 500);
    }
}
