import CGLPK

/// A small linear (or integer) programme, solved by GLPK: minimise or maximise a linear expression of
/// variables with bounds, subject to linear constraints.
///
/// Thread safety: Debian's GLPK 5.0 keeps its environment in thread-local storage (`glp_config("TLS")` is
/// `_Thread_local`), so a problem object belongs to the thread that made it. Each `solve` call creates,
/// solves and deletes its own problem object within one synchronous call, then frees the thread's environment,
/// so separate calls may run on separate threads at once (tested); a `LinearProgram` value itself is plain data.
public struct LinearProgram: Sendable, Equatable {
    public struct Variable: Sendable, Equatable, Hashable {
        public let index: Int
    }

    /// `Σ coefficient × variable`.
    public struct Expression: Sendable, Equatable {
        public var terms: [(variable: Variable, coefficient: Double)]
        public init(_ terms: [(variable: Variable, coefficient: Double)] = []) { self.terms = terms }
        public init(sum variables: [Variable]) { terms = variables.map { ($0, 1) } }
        public static func == (a: Expression, b: Expression) -> Bool {
            a.terms.map(\.variable) == b.terms.map(\.variable) && a.terms.map(\.coefficient) == b.terms.map(\.coefficient)
        }
    }

    public enum Relation: Sendable, Equatable { case lessOrEqual, equal, greaterOrEqual }

    public struct Constraint: Sendable, Equatable {
        public let expression: Expression
        public let relation: Relation
        public let bound: Double
    }

    public enum Outcome: Sendable, Equatable {
        case optimal(Double)
        case infeasible
        case unbounded
    }

    struct VariableSpec: Sendable, Equatable {
        var lower: Double?
        var upper: Double?
        var integer: Bool
    }

    var variables: [VariableSpec] = []
    public private(set) var constraints: [Constraint] = []

    public init() {}

    public var variableCount: Int { variables.count }

    /// A new variable; nil bound = unbounded on that side.
    public mutating func addVariable(lower: Double? = 0, upper: Double? = nil, integer: Bool = true) -> Variable {
        variables.append(VariableSpec(lower: lower, upper: upper, integer: integer))
        return Variable(index: variables.count - 1)
    }

    /// Narrows a variable's bounds (never widens them).
    public mutating func bound(_ variable: Variable, lower: Double? = nil, upper: Double? = nil) {
        if let lower { variables[variable.index].lower = max(variables[variable.index].lower ?? lower, lower) }
        if let upper { variables[variable.index].upper = min(variables[variable.index].upper ?? upper, upper) }
    }

    public mutating func add(_ expression: Expression, _ relation: Relation, _ bound: Double) {
        constraints.append(Constraint(expression: expression, relation: relation, bound: bound))
    }

    public func minimise(_ objective: Expression) -> Outcome { solve(objective, maximise: false) }
    public func maximise(_ objective: Expression) -> Outcome { solve(objective, maximise: true) }

    /// One GLPK problem object per call, made and freed on the calling thread (see the type's comment).
    func solve(_ objective: Expression, maximise: Bool) -> Outcome {
        // The environment is per thread: silence it on whichever thread runs this, and free it again on the way
        // out. GLPK frees it only in glp_free_env, so a pool thread that solved once and then ended kept it
        // (176 B and 5 KB under glp_init_env, reported by LeakSanitizer). No GLPK object outlives this call.
        glp_term_out(GLP_OFF)
        defer { glp_free_env() }
        guard let problem = glp_create_prob() else { return .infeasible }
        defer { glp_delete_prob(problem) }
        glp_set_obj_dir(problem, maximise ? GLP_MAX : GLP_MIN)

        let anyInteger = variables.contains { $0.integer }
        if !variables.isEmpty { glp_add_cols(problem, Int32(variables.count)) }
        for (i, spec) in variables.enumerated() {
            let column = Int32(i + 1)
            glp_set_col_bnds(problem, column, Self.boundKind(spec.lower, spec.upper), spec.lower ?? 0, spec.upper ?? 0)
            if spec.integer { glp_set_col_kind(problem, column, GLP_IV) }
        }
        for term in objective.terms {
            let column = Int32(term.variable.index + 1)
            glp_set_obj_coef(problem, column, glp_get_obj_coef(problem, column) + term.coefficient)
        }
        // GLPK's arrays are 1-based: index 0 is ignored.
        var rows: [Int32] = [0], columns: [Int32] = [0], values: [Double] = [0]
        if !constraints.isEmpty { glp_add_rows(problem, Int32(constraints.count)) }
        for (r, constraint) in constraints.enumerated() {
            let row = Int32(r + 1)
            switch constraint.relation {
            case .lessOrEqual: glp_set_row_bnds(problem, row, GLP_UP, 0, constraint.bound)
            case .greaterOrEqual: glp_set_row_bnds(problem, row, GLP_LO, constraint.bound, 0)
            case .equal: glp_set_row_bnds(problem, row, GLP_FX, constraint.bound, constraint.bound)
            }
            // A variable named twice in one row: GLPK refuses duplicates, so add its coefficients first.
            var merged: [Int: Double] = [:]
            for term in constraint.expression.terms { merged[term.variable.index, default: 0] += term.coefficient }
            for (index, coefficient) in merged.sorted(by: { $0.key < $1.key }) where coefficient != 0 {
                rows.append(row); columns.append(Int32(index + 1)); values.append(coefficient)
            }
        }
        if rows.count > 1 { glp_load_matrix(problem, Int32(rows.count - 1), rows, columns, values) }

        var simplex = glp_smcp()
        glp_init_smcp(&simplex)
        simplex.msg_lev = GLP_MSG_OFF
        simplex.presolve = GLP_OFF
        let simplexResult = glp_simplex(problem, &simplex)
        guard simplexResult == 0 else { return simplexResult == GLP_ENOPFS ? .infeasible : .unbounded }
        switch glp_get_status(problem) {
        case GLP_OPT: break
        case GLP_UNBND: return .unbounded
        case GLP_NOFEAS, GLP_INFEAS: return .infeasible
        default: return .infeasible
        }
        guard anyInteger else { return .optimal(glp_get_obj_val(problem)) }

        var branch = glp_iocp()
        glp_init_iocp(&branch)
        branch.msg_lev = GLP_MSG_OFF
        guard glp_intopt(problem, &branch) == 0 else { return .infeasible }
        switch glp_mip_status(problem) {
        case GLP_OPT: return .optimal(glp_mip_obj_val(problem))
        default: return .infeasible
        }
    }

    static func boundKind(_ lower: Double?, _ upper: Double?) -> Int32 {
        switch (lower, upper) {
        case (nil, nil): GLP_FR
        case (_?, nil): GLP_LO
        case (nil, _?): GLP_UP
        case (let l?, let u?): l == u ? GLP_FX : GLP_DB
        }
    }
}
