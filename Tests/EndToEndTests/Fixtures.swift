import Foundation

/// Small, valid evidence files in the shapes of DESIGN §3, built in code so each test states what
/// it feeds drreport.
enum Fixtures {
    /// A drill log (JSON Lines, §3.1) of `events` lines: a disruption, a crisis declaration, then
    /// milestones one minute apart. `naiveAt` makes that 1-based line's `time` carry no offset.
    static func drillLog(_ drill: String, events: Int = 5, naiveAt: Int? = nil, salt: String = "") -> Data {
        var lines: [String] = []
        for line in 1...events {
            let minute = line - 1
            let time = String(format: "2026-09-12T%02d:%02d:11", 8 + minute / 60, minute % 60)
            let stamp = line == naiveAt ? time : time + "+02:00"
            switch line {
            case 1:
                lines.append(
                    #"{"drill":"\#(drill)","attempt":1,"time":"\#(stamp)","event":"disruption","region":"westeurope","actor":"chaos-pipeline","clock":"ntp:time.windows.com","uncertainty_s":2,"note":"customer-initiated storage failover requested\#(salt)"}"#
                )
            case 2:
                lines.append(
                    #"{"drill":"\#(drill)","time":"\#(stamp)","event":"crisis_declared","actor":"bcm.oncall@bank.example"}"#
                )
            default:
                lines.append(
                    #"{"drill":"\#(drill)","time":"\#(stamp)","event":"milestone","process":"loan-origination","region":"northeurope","note":"runbook step \#(line)"}"#
                )
            }
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// A consistency-check output (§3.4) with one complete and one restored table.
    static func consistency(_ checkRun: String, drill: String) -> Data {
        Data(
            """
            {"check_run":"\(checkRun)","drill":"\(drill)","region":"northeurope",
             "checked_at":"2026-09-12T08:40:02Z","reference_time":"2026-09-12T06:03:11Z",
             "tables":[
              {"table":"neprix.silver.contracts","location":"abfss://lake@bankdrne.dfs.core.windows.net/neprix/silver/contracts",
               "latest_version":1842,"latest_version_time":1789192711000,"complete":false,
               "missing_files":["part-00003-9f1c.snappy.parquet"],
               "restored_version":1841,"restored_version_time":"2026-09-12T05:58:40Z","action":"restored"},
              {"table":"neprix.gold.exposures","latest_version":77,"latest_version_time":"2026-09-12T05:31:02Z",
               "complete":true,"action":"none"}]}

            """.utf8)
    }

    /// An apply record (§3.2): `run.json` (Azure DevOps run), `apply.jsonl` (terraform apply -json)
    /// and, when `resources` is set, `state.json` with that many Databricks jobs (about 1 KB each).
    static func applyRecord(
        runID: Int, workspace: String = "neprix-tech-prod", region: String = "westeurope", resources: Int? = 3
    ) -> [String: Data] {
        let run = """
            {
              "_links": {"self": {"href": "https://dev.azure.com/bank/platform/_apis/pipelines/42/runs/\(runID)"}},
              "templateParameters": {"workspace": "\(workspace)", "region": "\(region)", "environment": "prod",
                                     "changeRequest": "CHG0031889", "requestedBy": "dev.one@bank.example"},
              "pipeline": {"url": "https://dev.azure.com/bank/platform/_apis/pipelines/42?revision=7", "id": 42,
                           "revision": 7, "name": "databricks-workspace-apply", "folder": "\\\\"},
              "state": "completed",
              "result": "succeeded",
              "createdDate": "2026-09-01T09:00:00.1234567Z",
              "finishedDate": "2026-09-01T09:12:30.7654321Z",
              "url": "https://dev.azure.com/bank/platform/_apis/pipelines/42/runs/\(runID)",
              "resources": {"repositories": {"self": {"refName": "refs/heads/main",
                                                      "version": "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f"}}},
              "id": \(runID),
              "name": "20260901.\(runID)"
            }

            """
        let apply =
            [
                #"{"@level":"info","@message":"Terraform 1.9.8","@module":"terraform.ui","@timestamp":"2026-09-01T09:05:00.100000Z","terraform":"1.9.8","type":"version","ui":"1.2"}"#,
                #"{"@level":"info","@message":"databricks_job.job_0: Modifying...","@module":"terraform.ui","@timestamp":"2026-09-01T09:05:01.200000Z","hook":{"resource":{"addr":"databricks_job.job_0","module":"","resource":"databricks_job.job_0","implied_provider":"databricks","resource_type":"databricks_job","resource_name":"job_0","resource_key":null},"action":"update"},"type":"apply_start"}"#,
                #"{"@level":"info","@message":"databricks_job.job_0: Modifications complete after 1s [id=\#(runID)]","@module":"terraform.ui","@timestamp":"2026-09-01T09:05:02.300000Z","hook":{"resource":{"addr":"databricks_job.job_0","module":"","resource":"databricks_job.job_0","implied_provider":"databricks","resource_type":"databricks_job","resource_name":"job_0","resource_key":null},"action":"update","id_key":"id","id_value":"\#(runID)","elapsed_seconds":1},"type":"apply_complete"}"#,
                #"{"@level":"info","@message":"Apply complete! Resources: 0 added, 1 changed, 0 destroyed.","@module":"terraform.ui","@timestamp":"2026-09-01T09:05:02.400000Z","changes":{"add":0,"change":1,"import":0,"remove":0,"operation":"apply"},"type":"change_summary"}"#,
            ].joined(separator: "\n") + "\n"
        var files = ["run.json": Data(run.utf8), "apply.jsonl": Data(apply.utf8)]
        if let resources { files["state.json"] = state(resources: resources, salt: "\(runID)") }
        return files
    }

    /// A `terraform show -json` state with `resources` Databricks jobs.
    static func state(resources: Int, salt: String = "") -> Data {
        var items: [String] = []
        items.reserveCapacity(resources)
        for index in 0..<resources {
            items.append(
                #"{"address":"databricks_job.job_\#(index)","mode":"managed","type":"databricks_job","name":"job_\#(index)","provider_name":"registry.terraform.io/databricks/databricks","schema_version":2,"values":{"always_running":false,"control_run_state":false,"description":"nightly ingestion \#(salt) #\#(index)","format":"MULTI_TASK","id":"\#(100_000 + index)","max_concurrent_runs":1,"name":"neprix-ingest-\#(index)","tags":{"division":"neprix","owner":"platform-team","cost_center":"CC-4411"},"task":[{"task_key":"ingest","notebook_task":[{"notebook_path":"/Repos/neprix/etl/ingest_\#(index)","base_parameters":{"env":"prod"}}],"job_cluster_key":"etl","timeout_seconds":3600}],"job_cluster":[{"job_cluster_key":"etl","new_cluster":[{"spark_version":"15.4.x-scala2.12","node_type_id":"Standard_DS3_v2","num_workers":2}]}],"url":"https://adb-1234567890123456.7.azuredatabricks.net/#job/\#(100_000 + index)"},"sensitive_values":{"tags":{},"task":[{"notebook_task":[{"base_parameters":{}}]}],"job_cluster":[{"new_cluster":[{}]}]}}"#
            )
        }
        return Data(
            (#"{"format_version":"1.0","terraform_version":"1.9.8","values":{"root_module":{"resources":["#
                + items.joined(separator: ",") + "]}}}\n").utf8)
    }
}
