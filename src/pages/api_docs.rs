//! `/api/docs`: the JSON API's reference, read from its OpenAPI document (the same handlers the
//! API runs), readable without JavaScript and without signing in.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::{ApiField, ApiOperation, ApiReference};
use crate::error::AppError;

#[server(endpoint = "api-reference")]
pub async fn load_api_reference() -> Result<ApiReference, AppError> {
    Ok(crate::server::api::reference())
}

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let reference = Resource::new(|| (), |_| load_api_reference());
    let page = move || {
        Suspend::new(async move {
            let r = reference.await?;
            let base = r.base.clone();
            Ok::<_, AppError>(view! {
                <h1>{r.title.clone()}</h1>
                <p>{r.description.clone()}</p>
                <p>
                    "Base address: " <code>{base.clone()}</code> ". The machine-readable document: "
                    <a href=format!("{base}/openapi.json")>"OpenAPI 3.1 (JSON)"</a> ". Tokens: "
                    <a href=crate::paths::TOKENS>"Access tokens"</a> "."
                </p>
                <nav aria-labelledby="operations-heading">
                    <h2 id="operations-heading">"Operations"</h2>
                    <ul>
                        {r
                            .operations
                            .iter()
                            .map(|op| {
                                view! {
                                    <li>
                                        <a href=format!("#{}", op.anchor())>
                                            <code>{format!("{} {}", op.method, op.path)}</code>
                                        </a>
                                        " — "
                                        {op.summary.clone()}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
                {r.operations.iter().map(|op| operation(op, &base)).collect_view()}
                <h2>"Schemas"</h2>
                {r
                    .schemas
                    .iter()
                    .map(|schema| {
                        view! {
                            <section class="card" id=format!("schema-{}", schema.name)>
                                <h3>{schema.name.clone()}</h3>
                                <p>{schema.description.clone()}</p>
                                {fields(&schema.fields, "Field", &format!("Fields of {}", schema.name))}
                            </section>
                        }
                    })
                    .collect_view()}
            })
        })
    };
    view! {
        <Title text="API reference" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>{page}</Suspense>
    }
}

fn operation(op: &ApiOperation, base: &str) -> impl IntoView {
    view! {
        <section class="card" id=op.anchor()>
            <h3>
                <code>{format!("{} {base}{}", op.method, op.path)}</code>
            </h3>
            <p>{op.summary.clone()}</p>
            {(!op.params.is_empty())
                .then(|| fields(&op.params, "Parameter", &format!("Parameters of {} {}", op.method, op.path)))}
            {op
                .body
                .clone()
                .map(|body| {
                    view! {
                        <p>
                            "Body (JSON): " <a href=format!("#schema-{body}")>{body.clone()}</a>
                        </p>
                    }
                })}
            <table>
                <caption>{format!("Answers of {} {}", op.method, op.path)}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Meaning"</th>
                        <th scope="col">"Body"</th>
                    </tr>
                </thead>
                <tbody>
                    {op
                        .responses
                        .iter()
                        .map(|r| {
                            view! {
                                <tr>
                                    <td>{r.status.clone()}</td>
                                    <td>{r.description.clone()}</td>
                                    <td>{r.schema.clone().unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

fn fields(fields: &[ApiField], what: &'static str, caption: &str) -> impl IntoView {
    view! {
        <table>
            <caption>{caption.to_owned()}</caption>
            <thead>
                <tr>
                    <th scope="col">{what}</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Required"</th>
                    <th scope="col">"Description"</th>
                </tr>
            </thead>
            <tbody>
                {fields
                    .iter()
                    .map(|f| {
                        view! {
                            <tr>
                                <td>
                                    <code>{f.name.clone()}</code>
                                </td>
                                <td>{f.kind.clone()}</td>
                                <td>{if f.required { "yes" } else { "no" }}</td>
                                <td>{f.description.clone()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
