# Demo seed: speeding up product-launch approval (新品上市审批提速) across
# 市场部, 技术部, 法务部 and 财务部, from 15 to 7 days: the reviews by 技术部 and
# 法务部 run in parallel, each within 3 working days. Played two weeks back in
# time, so that some items are overdue by now.
:at -14d
:as 王磊
:channel launch-approval
project create 新品上市审批提速 key LAUNCH goal 「上市审批周期 15 → 7 天：技术部与法务部并行评审，各限 3 个工作日」 calendar cn
dept add 市场部 head @赵敏
dept add 技术部 head @陈刚
dept add 法务部 head @林芳
dept add 财务部 head @周强
member add @王磊 dept 市场部
member add @李娜 dept 技术部 role lead
member add @张伟 dept 法务部
member add @刘洋 dept 财务部
member add @孙丽 dept 市场部 role viewer
project phase design
project kpi 审批周期 baseline 15 target 7 unit 天
project kpi 审批周期 record 15
action add 「梳理现行审批流程，画出泳道图」 owner @王磊 due +3d deliverable 「现状流程图 v1」
action add 「技术评审检查清单标准化」 owner @李娜 due +9d deliverable 「技术评审清单」
action add 「法务合同模板预审机制」 owner @张伟 due +11d deliverable 「预审模板与条款库」
action add 「财务预算审批并入并行评审」 owner @刘洋 due +19d deliverable 「预算审批新流程」
action add 「选择两款新品试点新流程」 owner @李娜 due +16d
add 新流程培训材料与考试题库 @王磊 +24d
:at -10d
done A1
:at -7d
project kpi 审批周期 record 12
project phase pilot
:as 李娜
start A2
:at -4d
:as 张伟
action block A3 「等待外部律所对模板条款的意见」
:as 王磊
action note A3 「已约律所本周三前回复」
:at -1d
:as 刘洋
start A4
:at now
:as 王磊
