//! Builders and option values do nothing until used: dropping one is a
//! warning (an error here) that says what to do with it.
#![deny(unused_must_use)]

use chat_api::{Client, RequestOptions, Toolbox};

fn main() {
    RequestOptions::new().max_retries(0);
    Client::builder().base_url("http://127.0.0.1:8080/v1");
    Toolbox::new().max_rounds(3);
    if let Ok(client) = Client::builder().build() {
        client.with_options(RequestOptions::new());
    }
}
